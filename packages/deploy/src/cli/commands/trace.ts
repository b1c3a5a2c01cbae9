import { join, resolve } from "node:path";
import { EmbeddedStore, makeEmbeddedTraceStore, stripTerminalControls, terminalJson } from "@sre-on-call/adapters";
import { makeRedactor, redactingTraceStore, renderReport, type TraceStoreShape } from "@sre-on-call/core";
import { Effect, Exit, Option, Result } from "effect";
import { decodeConfig, loadConfigFile } from "../../config/loadConfig.js";
import { type CliIo, type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";
import { storeFailureMessage, storeWarnings } from "../../runtime/storeFailureMessage.js";
import { traceStoreFromEnv } from "../../runtime/traceArchive.js";

const usage = `Usage:
  sre-on-call trace show INVESTIGATION_ID [--json] [--config FILE]

Prints one investigation's trace from the embedded store (store.directory in config.yaml), or
from the AWS trace archive when SRE_TRACE_BUCKET and SRE_TRACE_TABLE are set (S3 + DynamoDB,
credentials from the default AWS chain, AWS_REGION): every
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
    // Traces archived before redaction reached the store print no secret either.
    const redactor = makeRedactor(loaded.success.redaction.patterns);
    if (Result.isFailure(redactor)) throw new CommandFailed(redactor.failure.message, 2);
    const redact = redactor.success.redactDeep;
    const archive = (() => {
      try {
        return traceStoreFromEnv(io.env);
      } catch (error) {
        throw new CommandFailed(error instanceof Error ? error.message : String(error));
      }
    })();
    if (archive !== undefined) return printTrace(redactingTraceStore(archive, redact), id, `s3://${io.env["SRE_TRACE_BUCKET"] ?? ""}`, values["json"] === true, io);
    const directory = join(resolve(io.cwd, loaded.success.store.directory), "store");
    let store: EmbeddedStore;
    try {
      store = await EmbeddedStore.open({ directory, log: storeWarnings(io, "trace") });
    } catch (error) {
      throw new CommandFailed(storeFailureMessage(error, directory));
    }
    try {
      return await printTrace(redactingTraceStore(makeEmbeddedTraceStore(store), redact), id, directory, values["json"] === true, io);
    } finally {
      await store.close();
    }
  }
};

const printTrace = async (store: TraceStoreShape, id: string, where: string, json: boolean, io: CliIo): Promise<number> => {
  const found = await Effect.runPromiseExit(store.get(id));
  if (Exit.isFailure(found)) throw new CommandFailed(`cannot read the trace: ${String(found.cause).split("\n")[0]}`);
  if (Option.isNone(found.value)) throw new CommandFailed(`no trace for ${id} in ${where}`);
  const trace = found.value.value;
  // A trace holds alert text, agents' errors and reports: nothing in it may drive the terminal.
  if (json) {
    io.stdout(`${terminalJson(trace)}\n`);
    return 0;
  }
  io.stdout(stripTerminalControls(`# Trace ${trace.investigationId}\n\nthread ${trace.channelId}/${trace.threadId}, started ${new Date(trace.startedAt).toISOString()}\n\n`));
  for (const e of trace.events) {
    const data = terminalJson(e.data);
    io.stdout(stripTerminalControls(`- ${new Date(e.at).toISOString()} ${e.type}${data === "{}" ? "" : ` ${data.length > 300 ? `${data.slice(0, 297)}…` : data}`}\n`));
  }
  const last = trace.reports.at(-1);
  if (last !== undefined) io.stdout(`\n${stripTerminalControls(renderReport(last, "markdown").map((m) => m.text).join("\n"))}\n`);
  return 0;
};
