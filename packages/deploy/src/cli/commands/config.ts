import { resolve } from "node:path";
import { Result } from "effect";
import { loadConfigFile } from "../../config/loadConfig.js";
import { type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";

const usage = `Usage:
  sre-on-call config validate [--config FILE] [--print]

Validates a configuration file (default: ./config.yaml, or $SRE_ON_CALL_CONFIG) and names the
key and the fix for every problem. With --print, prints the effective configuration (every
default filled in) as JSON.

Exit status: 0 valid, 1 invalid or unreadable, 2 usage error.
`;

export const configCommand: Command = {
  name: "config",
  summary: "validate config.yaml (errors name the key and the fix)",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, { config: { type: "string", short: "c" }, print: { type: "boolean" } });
    if (positionals[0] !== "validate" || positionals.length !== 1) throw new UsageError('the only subcommand is "validate".');
    const file = resolve(io.cwd, typeof values["config"] === "string" ? values["config"] : (io.env["SRE_ON_CALL_CONFIG"] ?? "config.yaml"));
    const loaded = await loadConfigFile(file);
    if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
    if (values["print"] === true) io.stdout(`${JSON.stringify(loaded.success, null, 2)}\n`);
    else {
      const agents = Object.entries(loaded.success.agents)
        .filter(([, a]) => a !== undefined && a.enabled !== false)
        .map(([id]) => id);
      io.stdout(`${file} is valid (project ${loaded.success.project}, environment ${loaded.success.environment}; agents enabled: ${agents.join(", ") || "none"})\n`);
    }
    return 0;
  }
};
