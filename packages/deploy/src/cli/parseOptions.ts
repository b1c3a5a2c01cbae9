import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./CliIo.js";

/** node:util parseArgs with strict checking, turning its errors into usage errors. */
export interface ParsedOptions {
  readonly values: Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;
  readonly positionals: ReadonlyArray<string>;
}

export const parseOptions = (args: ReadonlyArray<string>, options: NonNullable<ParseArgsConfig["options"]>): ParsedOptions => {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, ".") : String(error));
  }
};
