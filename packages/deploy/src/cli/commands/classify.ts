import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { stripTerminalControls, terminalJson } from "@sre-on-call/adapters";
import { classifyMessage, type GateOptions, type Verdict } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { loadConfigFile } from "../../config/loadConfig.js";
import { StartupError } from "../../runtime/buildChats.js";
import { gateFromConfig } from "../../runtime/gateFromConfig.js";
import { type CliIo, type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";

const usage = `Usage:
  sre-on-call classify "TEXT" [--json] [--no-gate] [--config FILE]
  sre-on-call classify --jsonl [--no-gate] [--config FILE] < messages.jsonl

Decides whether a chat message is an alert to investigate or chatter to suppress, with the
tier that decided (1 = deterministic rules, 2 = model, 0 = gate disabled) and the reasons.

Options:
  --json       print the verdict as one JSON object
  --jsonl      read one JSON object per line from stdin (field "text"; an "id" is echoed back)
               and write one verdict per line: {"id", "decision", "tier", "reasons"}
  --no-gate    the kill switch: investigate everything (tier 0)
  --config FILE
               use this config's classifier settings: its classifier.rules run with the
               builtins, classifier.enabled is the kill switch (default ./config.yaml if
               present, else the builtin rules alone). Tier 2 (a model) is not asked here.
  -h, --help   show this help

Exit status: 0 on success, 1 when some input lines were invalid (--jsonl), 2 on usage errors.
`;

const toJson = (v: Verdict, id?: unknown) => ({
  ...(id !== undefined ? { id } : {}),
  decision: v.decision,
  tier: v.tier,
  reasons: v.reasons,
  ...(v.rule !== undefined ? { rule: v.rule } : {})
});

const runJsonl = async (io: CliIo, gate: GateOptions): Promise<number> => {
  let bad = 0;
  let lineNo = 0;
  for await (const line of io.stdinLines()) {
    lineNo++;
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      bad++;
      io.stdout(`${terminalJson({ line: lineNo, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` })}\n`);
      continue;
    }
    const record = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    const text = record?.["text"];
    if (typeof text !== "string") {
      bad++;
      io.stdout(`${terminalJson({ line: lineNo, ...(record?.["id"] !== undefined ? { id: record["id"] } : {}), error: 'each line must be a JSON object with a string field "text"' })}\n`);
      continue;
    }
    const verdict = await Effect.runPromise(classifyMessage(text, gate));
    io.stdout(`${terminalJson(toJson(verdict, record?.["id"]))}\n`);
  }
  if (bad > 0) io.stderr(`sre-on-call classify: ${bad} invalid input line(s)\n`);
  return bad > 0 ? 1 : 0;
};

export const classifyCommand: Command = {
  name: "classify",
  summary: "tell an alert from chatter (one text, or JSON lines on stdin)",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, {
      json: { type: "boolean" },
      jsonl: { type: "boolean" },
      "no-gate": { type: "boolean" },
      config: { type: "string", short: "c" }
    });
    // The team's own rules decide here exactly as they do in serve.
    const explicit = typeof values["config"] === "string" ? values["config"] : io.env["SRE_ON_CALL_CONFIG"];
    let gate: GateOptions = {};
    if (explicit !== undefined || (await readFile(resolve(io.cwd, "config.yaml")).then(() => true, () => false))) {
      const loaded = await loadConfigFile(resolve(io.cwd, explicit ?? "config.yaml"));
      if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
      try {
        gate = gateFromConfig(loaded.success);
      } catch (error) {
        if (error instanceof StartupError) throw new CommandFailed(error.message);
        throw error;
      }
    }
    if (values["no-gate"] === true) gate = { ...gate, enabled: false };
    if (values.jsonl === true) {
      if (positionals.length > 0) throw new UsageError("--jsonl reads messages from stdin; do not also pass TEXT.");
      return runJsonl(io, gate);
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? "give the message TEXT to classify, or --jsonl to read stdin." : 'give exactly one TEXT argument (quote it: "…").');
    }
    const verdict = await Effect.runPromise(classifyMessage(positionals[0]!, gate));
    // Messages (and ids) are echoed back: nothing in them may drive the terminal.
    if (values.json === true) io.stdout(`${terminalJson(toJson(verdict))}\n`);
    else io.stdout(stripTerminalControls(`${verdict.decision} (tier ${verdict.tier})\n${verdict.reasons.map((r) => `  - ${r}`).join("\n")}\n`));
    return 0;
  }
};
