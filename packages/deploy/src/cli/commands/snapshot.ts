import { resolve } from "node:path";
import { stripTerminalControls, terminalJson } from "@sre-on-call/adapters";
import { redactDeep, renderSnapshot, takeSnapshot } from "@sre-on-call/core";
import { Duration, Effect, Result } from "effect";
import type { AppConfig } from "../../config/AppConfig.js";
import { loadConfigFile } from "../../config/loadConfig.js";
import { type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";
import { cliSpecialists, SOURCE_HELP, SOURCE_OPTIONS } from "./cliSpecialists.js";

const usage = `Usage:
  sre-on-call snapshot [data source] [--format markdown|json|slack|discord] [--config FILE]

The health snapshot /sre-snapshot posts: every specialist's view of the system right now
(Kubernetes nodes and workloads, Prometheus targets and firing alerts, log groups by volume and
errors), each bounded by its deadline. Progress on stderr, the snapshot on stdout.

${SOURCE_HELP}

Options:
  --format FORMAT       markdown (default), json, slack (Block Kit JSON), discord
  --deadline SEC        per-agent time limit (default: defaults.agent_deadline_seconds, 50)
  --config FILE         config file (default ./config.yaml if present)
  --quiet               no progress on stderr

Exit status: 0 the snapshot was printed (whatever the health), 2 usage error or unusable input.
`;

const FORMATS = ["markdown", "json", "slack", "discord"] as const;

export const snapshotCommand: Command = {
  name: "snapshot",
  summary: "print a health snapshot of the cluster, metrics and logs (what /sre-snapshot posts)",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, {
      ...SOURCE_OPTIONS,
      format: { type: "string", short: "f" },
      deadline: { type: "string" },
      config: { type: "string", short: "c" },
      quiet: { type: "boolean", short: "q" }
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}".`);
    const format = (typeof values["format"] === "string" ? values["format"] : "markdown") as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}.`);
    const configPath = typeof values["config"] === "string" ? values["config"] : io.env["SRE_ON_CALL_CONFIG"];
    let config: AppConfig | undefined;
    const loaded = await loadConfigFile(resolve(io.cwd, configPath ?? "config.yaml"));
    if (Result.isSuccess(loaded)) config = loaded.success;
    else if (configPath !== undefined) throw new CommandFailed(loaded.failure.message, 2);
    const deadline = Number(typeof values["deadline"] === "string" ? values["deadline"] : (config?.defaults.agent_deadline_seconds ?? 50));
    if (!Number.isFinite(deadline) || deadline <= 0) throw new UsageError("--deadline must be a positive number of seconds.");
    const progress = (line: string) => {
      if (values["quiet"] !== true) io.stderr(`${line}\n`);
    };
    const specialists = await cliSpecialists(values, config, io, progress);
    progress(`asking ${specialists.enabled.map((s) => s.id).join(", ") || "no agents"}…`);
    const snapshot = await Effect.runPromise(takeSnapshot(specialists, { snapshotId: `snap-${Date.now().toString(36)}`, deadline: Duration.seconds(deadline) })).finally(() => specialists.close());
    const dialect = format === "markdown" ? "markdown" : format;
    const chunks = renderSnapshot(redactDeep(snapshot), dialect);
    // Findings quote logs and events: nothing in them may drive the terminal.
    io.stdout(format === "slack" ? `${terminalJson(chunks.map((c) => ({ text: c.text, blocks: c.blocks ?? [] })), 2)}\n` : `${stripTerminalControls(chunks.map((c) => c.text).join("\n"))}\n`);
    return 0;
  }
};
