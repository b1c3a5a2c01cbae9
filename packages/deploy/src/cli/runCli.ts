import { stripTerminalControls } from "@sre-on-call/adapters";
import { redactSecrets } from "@sre-on-call/core";
import { type CliIo, type CommandEntry, CommandFailed, UsageError } from "./CliIo.js";
import { commands } from "./commands/index.js";

const VERSION = "0.1.0";

export const mainHelp = (list: ReadonlyArray<CommandEntry>): string =>
  [
    "sre-on-call — an on-call copilot: verifies and de-duplicates alerts, tells alerts from chatter,",
    "investigates them with specialist agents and posts an evidence-backed incident analysis.",
    "",
    "Usage: sre-on-call <command> [options]",
    "",
    "Commands:",
    ...list.map((c) => `  ${c.name.padEnd(20)} ${c.summary}`),
    "",
    "Run `sre-on-call <command> --help` for a command's options.",
    "Options: --help, --version",
    ""
  ].join("\n");

/** Runs the CLI in-process and returns the exit status (0 ok, 1 failed, 2 usage error). */
export const runCli = async (argv: ReadonlyArray<string>, io: CliIo, list: ReadonlyArray<CommandEntry> = commands): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp(list));
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = list.find((c) => c.name === name);
  if (entry === undefined) {
    io.stderr(`sre-on-call: unknown command "${name}". Commands: ${list.map((c) => c.name).join(", ")}.\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.usage.endsWith("\n") ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Error texts can quote input (a parse error shows part of the alert file): redacted like every output, safe for a terminal.
    if (error instanceof UsageError) {
      io.stderr(`sre-on-call ${command.name}: ${stripTerminalControls(redactSecrets(error.message))}\nRun \`sre-on-call ${command.name} --help\` for usage.\n`);
      return 2;
    }
    if (error instanceof CommandFailed) {
      io.stderr(`sre-on-call ${command.name}: ${stripTerminalControls(redactSecrets(error.message))}\n`);
      return error.exitCode;
    }
    io.stderr(`sre-on-call ${command.name}: unexpected error: ${stripTerminalControls(redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error)))}\n`);
    return 1;
  }
};
