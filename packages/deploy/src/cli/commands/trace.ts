import { join, resolve } from "node:path";
import { EmbeddedStore, makeEmbeddedTraceStore } from "@sre-on-call/adapters";
import { renderReport } from "@sre-on-call/core";
import { Effect, Exit, Option, Result } from "effect";
import { decodeConfig, loadConfigFile } from "../../config/loadConfig.js";
import { type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";

const usage = `Usage:
  sre-on-call trace show INVESTIGATION_ID [--json] [--config FILE]

Prints one investigation's trace from the embedded store (store.directory in config.yaml): every
event (received, dispatched, each agent's answer, reports posted, delivery failures) with its
time, then the last report. --json prints the whole trace as one JSON object.

Exit status: 0 found, 1 not found or the store cannot be read, 2 usage error.
`;

export const traceCommand: Command = {
  name: "trace",
  summary: "show an investigation's trace (events and reports)",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, { json: { type: "boolean" }, config: { type: "string", short: "c" } });
    if (positionals[0] !== "show" || positionals.length !== 2) throw new UsageError('use "trace show INVESTIGATION_ID".');
    const id = positionals[1]!;
    const configPath = typeof values["config"] === "string" ? values["config"] : io.env["SRE_ON_CALL_CONFIG"];
    const loaded = configPath !== undefined ? await loadConfigFile(resolve(io.cwd, configPath)) : await loadConfigFile(resolve(io.cwd, "config.yaml")).then((r) => (Result.isSuccess(r) ? r : decodeConfig({}, "defaults")));
    if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
    const directory = join(resolve(io.cwd, loaded.success.store.directory), "store");
    let store: EmbeddedStore;
    try {
      store = await EmbeddedStore.open({ directory });
    } catch (error) {
      throw new CommandFailed(`cannot open the store in ${directory}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      const found = await Effect.runPromiseExit(makeEmbeddedTraceStore(store).get(id));
      if (Exit.isFailure(found)) throw new CommandFailed(`cannot read the trace: ${String(found.cause).split("\n")[0]}`);
      if (Option.isNone(found.value)) throw new CommandFailed(`no trace for ${id} in ${directory}`);
      const trace = found.value.value;
      if (values["json"] === true) {
        io.stdout(`${JSON.stringify(trace)}\n`);
        return 0;
      }
      io.stdout(`# Trace ${trace.investigationId}\n\nthread ${trace.channelId}/${trace.threadId}, started ${new Date(trace.startedAt).toISOString()}\n\n`);
      for (const e of trace.events) {
        const data = JSON.stringify(e.data);
        io.stdout(`- ${new Date(e.at).toISOString()} ${e.type}${data === "{}" ? "" : ` ${data.length > 300 ? `${data.slice(0, 297)}…` : data}`}\n`);
      }
      const last = trace.reports.at(-1);
      if (last !== undefined) io.stdout(`\n${renderReport(last, "markdown").map((m) => m.text).join("\n")}\n`);
      return 0;
    } finally {
      await store.close();
    }
  }
};
