import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { makeConsoleChat, stripTerminalControls, terminalJson } from "@sre-on-call/adapters";
import {
  type AlertContext,
  ChatPlatform,
  type Dialect,
  type InvestigationReport,
  makeRedactor,
  mergePriceTables,
  DEFAULT_PRICE_TABLE,
  parseAlertPayload,
  parseChatAlert,
  type ProgressEvent,
  renderReport,
  runInvestigation,
  Specialists
} from "@sre-on-call/core";
import { Duration, Effect, Exit, Result } from "effect";
import type { AppConfig } from "../../config/AppConfig.js";
import { loadConfigFile } from "../../config/loadConfig.js";
import { StartupError } from "../../runtime/buildChats.js";
import { modelFromSpec, modelSpecFor } from "../../runtime/buildModel.js";
import { remember } from "../../runtime/buildSpecialists.js";
import { DEFAULT_SYNTHESIS_MODELS, OPENAI_PRICE_TABLE, type SynthesisModel, synthesisStep } from "../../runtime/InvestigationRunner.js";
import { cliSpecialists, emptyConfig, SOURCE_HELP, SOURCE_OPTIONS } from "./cliSpecialists.js";
import { type CliIo, type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";

const usage = `Usage:
  sre-on-call investigate (--alert FILE | --text "TEXT") [data source] [options]

Investigates an alert now and prints the report. Progress goes to stderr, the report to stdout.

Alert (one of):
  --alert FILE          an Alertmanager (v4) or Grafana webhook payload, or a plain-text file;
                        "-" reads stdin. Every firing alert in a payload is investigated,
                        one report each.
  --text "TEXT"         an alert or symptom in words, as it would be pasted in chat

${SOURCE_HELP}

Options:
  --format FORMAT       markdown (default), json, slack (Block Kit JSON), discord
  --out FILE            write the report to FILE instead of stdout
  --report-after SEC    give the specialists this long before reporting (default: config, 60)
  --window MINUTES      look at ± this many minutes around the alert (default: config, 5)
  --at TIME             when a text alert fired (RFC 3339, e.g. 2026-03-12T14:20:00Z); default
                        now. Set it when investigating an old cluster dump.
  --model SPEC          the model for the synthesis step: none (deterministic only), bedrock,
                        openai, bedrock:<model id> or openai:<model id>. Bare bedrock means
                        ${DEFAULT_SYNTHESIS_MODELS.bedrock},
                        bare openai means ${DEFAULT_SYNTHESIS_MODELS.openai}. Default: SRE_ON_CALL_MODEL,
                        else defaults.model in config.yaml, else none. Bedrock uses AWS_REGION,
                        the default AWS credentials and SRE_BEDROCK_ENDPOINT; OpenAI-compatible
                        servers use OPENAI_BASE_URL and OPENAI_API_KEY. The report footer shows
                        the tokens and cost of the call; see docs/models.md.
  --config FILE         config file (default ./config.yaml if present, else embedded defaults)
  --quiet               no progress on stderr
  -h, --help            show this help

Exit status: 0 a report was printed; 1 the investigation itself failed; 2 usage error, or a
missing or unreadable input (alert file, cluster dump, kubeconfig, cluster).

With --format json, one JSON object per alert: investigationId, severity, title, summary,
hypotheses (most likely first: title, detail, confidence, evidence, confirmBy, actions),
findings, agents (state, durationMs, findings, error), actions, links, cost, report.

Example:
  sre-on-call investigate --alert examples/payments-outage/alert.json \\
    --cluster-dump examples/payments-outage/cluster-dump
  OPENAI_API_KEY=… sre-on-call investigate --alert examples/payments-outage/alert.json \\
    --cluster-dump examples/payments-outage/cluster-dump --model openai
`;

/** `bedrock` and `openai` alone name the documented default model of that provider. */
export const expandModelSpec = (spec: string): string => {
  const s = spec.trim();
  if (s === "bedrock" || s === "openai") return `${s}:${DEFAULT_SYNTHESIS_MODELS[s]}`;
  return s;
};

const CLI_PRICES = mergePriceTables(DEFAULT_PRICE_TABLE, OPENAI_PRICE_TABLE);

const MODEL_SPEC = /^(?:none|(?:bedrock|openai)(?::\S+)?)$/;

const FORMATS = ["markdown", "json", "slack", "discord"] as const;
type Format = (typeof FORMATS)[number];

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const readAlertFile = async (file: string, io: CliIo): Promise<string> => {
  if (file === "-") return io.stdinText();
  try {
    return await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CommandFailed(code === "ENOENT" ? `--alert ${file}: no such file` : `--alert ${file}: cannot read it (${code ?? String(error)})`, 2);
  }
};

const progressLine = (event: ProgressEvent): string | undefined => {
  switch (event.type) {
    case "dispatched":
      return `dispatched: ${event.agents.join(", ") || "no agents"}${event.skipped.length > 0 ? `; skipped: ${event.skipped.join(", ")}` : ""}${event.disabled.length > 0 ? `; disabled: ${event.disabled.join(", ")}` : ""}`;
    case "agent_done":
      return `${event.agent}: ${event.state} in ${(event.durationMs / 1000).toFixed(1)}s, ${event.findings} finding(s)${event.error !== undefined ? ` — ${event.error}` : ""}`;
    case "cutoff":
      return `cutoff reached; still running: ${event.pending.join(", ")}`;
    default:
      return undefined;
  }
};

/** The stable JSON shape of `--format json` (scripts and the eval harness read it). */
export const reportJson = (report: InvestigationReport) => ({
  investigationId: report.investigationId,
  severity: report.severity,
  title: report.title,
  status: report.status,
  summary: report.summary,
  affectedServices: report.affectedServices,
  hypotheses: report.hypotheses.map((h) => ({
    id: h.id,
    title: h.title,
    detail: h.detail,
    confidence: h.confidence,
    evidence: h.supportingFindings,
    confirmBy: h.confirmBy,
    proposedBy: h.proposedBy,
    ...(h.actions !== undefined ? { actions: h.actions } : {})
  })),
  findings: report.agents.flatMap((a) => a.findings),
  agents: report.agents.map((a) => ({
    agent: a.agent,
    state: a.state,
    summary: a.summary,
    findings: a.findings.length,
    ...(a.durationMs !== undefined ? { durationMs: a.durationMs } : {}),
    ...(a.error !== undefined ? { error: a.error } : {})
  })),
  ruledOut: report.ruledOut,
  impact: report.impact,
  actions: report.actions,
  links: report.links,
  cost: report.cost,
  detectedAt: new Date(report.detectedAt).toISOString(),
  generatedAt: new Date(report.generatedAt).toISOString(),
  report
});

const renderFor = (report: InvestigationReport, format: Format): string => {
  // Reports quote payloads and logs: nothing in them may drive the terminal (or a `cat` of --out).
  if (format === "json") return `${terminalJson(reportJson(report))}\n`;
  const dialect: Dialect = format === "markdown" ? "markdown" : format;
  const chunks = renderReport(report, dialect, { priceTable: CLI_PRICES });
  if (format === "slack") return `${terminalJson(chunks.map((c) => ({ text: c.text, blocks: c.blocks ?? [] })), 2)}\n`;
  return `${stripTerminalControls(chunks.map((c) => c.text).join("\n"))}\n`;
};

export const investigateCommand: Command = {
  name: "investigate",
  summary: "investigate an alert now (Alertmanager/Grafana JSON or text) and print the report",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, {
      alert: { type: "string", short: "a" },
      text: { type: "string", short: "t" },
      ...SOURCE_OPTIONS,
      format: { type: "string", short: "f" },
      out: { type: "string", short: "o" },
      "report-after": { type: "string" },
      window: { type: "string" },
      at: { type: "string" },
      config: { type: "string", short: "c" },
      model: { type: "string", short: "m" },
      quiet: { type: "boolean", short: "q" }
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; quote the text and pass it with --text.`);
    const alertFile = str(values["alert"]);
    const text = str(values["text"]);
    if ((alertFile === undefined) === (text === undefined)) throw new UsageError("give exactly one of --alert FILE or --text \"TEXT\".");
    const format = (str(values["format"]) ?? "markdown") as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}.`);
    const number = (flag: string, fallback: number): number => {
      const raw = str(values[flag]);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number of ${flag === "window" ? "minutes" : "seconds"}.`);
      return n;
    };

    const configPath = str(values["config"]) ?? io.env["SRE_ON_CALL_CONFIG"];
    let config: AppConfig | undefined;
    if (configPath !== undefined || (await readFile(resolve(io.cwd, "config.yaml")).then(() => true, () => false))) {
      const loaded = await loadConfigFile(resolve(io.cwd, configPath ?? "config.yaml"));
      if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
      config = loaded.success;
    }
    // Secrets, with the configured extra patterns, never reach the model or the printed report.
    const redactor = makeRedactor(config?.redaction.patterns ?? []);
    if (Result.isFailure(redactor)) throw new CommandFailed(redactor.failure.message, 2);
    const { redact, redactDeep } = redactor.success;
    const modelFlag = str(values["model"]);
    if (modelFlag !== undefined && !MODEL_SPEC.test(modelFlag.trim())) {
      throw new UsageError(`--model must be none, bedrock, openai, bedrock:<model id> or openai:<model id> (got ${JSON.stringify(modelFlag.slice(0, 80))}).`);
    }
    const modelSpec = expandModelSpec(modelFlag ?? modelSpecFor(config ?? emptyConfig, io.env, "synthesis"));
    let synthesisModel: SynthesisModel | undefined;
    try {
      const model = modelFromSpec(modelSpec, io.env, modelFlag !== undefined ? "--model" : "defaults.model");
      if (model !== undefined) synthesisModel = { model, redact, priceTable: CLI_PRICES };
    } catch (error) {
      if (error instanceof StartupError) throw new CommandFailed(error.message, 2);
      throw error;
    }
    const reportAfter = number("report-after", config?.investigation.report_after_seconds ?? 60);
    const windowMinutes = number("window", config?.investigation.window_minutes ?? 5);
    // Progress quotes the alert and agents' errors: redacted like the report, safe for a terminal.
    const progress = (line: string) => {
      if (values["quiet"] !== true) io.stderr(`${stripTerminalControls(redact(line))}\n`);
    };

    // Alerts to investigate.
    const atRaw = str(values["at"]);
    const at = atRaw === undefined ? Date.now() : Date.parse(atRaw);
    if (!Number.isFinite(at) || (atRaw !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(atRaw))) {
      throw new UsageError("--at must be an RFC 3339 time such as 2026-03-12T14:20:00Z.");
    }
    const now = Date.now();
    let alerts: ReadonlyArray<AlertContext>;
    if (alertFile !== undefined) {
      const raw = await readAlertFile(alertFile, io);
      let payload: unknown;
      const trimmed = raw.trim();
      if (trimmed === "") throw new CommandFailed(`--alert ${alertFile}: the file is empty`, 2);
      if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
        // A plain-text alert, as it would be pasted in chat.
        payload = undefined;
      } else {
        try {
          payload = JSON.parse(trimmed);
        } catch (error) {
          // "[FIRING:1] …" is a text alert that merely starts with a bracket; "{…" must be JSON.
          // V8 quotes the start of the input, cut mid-word: dropped, since it may be a secret's prefix.
          const reason = (error instanceof Error ? error.message : String(error)).replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, "");
          if (trimmed.startsWith("{")) throw new CommandFailed(`--alert ${alertFile}: looks like JSON but does not parse (${reason})`, 2);
          payload = undefined;
        }
      }
      if (payload === undefined) {
        alerts = [parseChatAlert({ source: "cli", channelId: "cli", messageId: "cli", text: trimmed, timestamp: at, now, windowMinutes, deadlineMs: reportAfter * 1000 })];
      } else {
      const parsed = parseAlertPayload(payload, { now, windowMinutes, deadlineMs: reportAfter * 1000, channelId: "cli", messageId: "cli" });
      if (Result.isFailure(parsed)) throw new CommandFailed(`--alert ${alertFile}: ${parsed.failure.message}`, 2);
      alerts = parsed.success.alerts.filter((a) => a.status === "firing");
      if (alerts.length === 0) {
        // A resolved-only notification is not a mistake: there is simply nothing to investigate.
        const names = [...new Set(parsed.success.alerts.map((a) => a.entities.alertname ?? "alert"))].slice(0, 5).join(", ");
        progress(
          parsed.success.alerts.length === 0
            ? `nothing is firing: --alert ${alertFile} holds no alert; nothing to investigate.`
            : `nothing is firing: --alert ${alertFile} holds ${parsed.success.alerts.length} resolved alert${parsed.success.alerts.length === 1 ? "" : "s"} (${names}); nothing to investigate.`
        );
        return 0;
      }
      }
    } else {
      alerts = [parseChatAlert({ source: "cli", channelId: "cli", messageId: "cli", text: text!, timestamp: at, now, windowMinutes, deadlineMs: reportAfter * 1000 })];
    }

    // Specialists.
    const specialists = await cliSpecialists(values, config, io, progress);

    try {
      const chat = makeConsoleChat({ write: () => undefined });
      const outputs: Array<string> = [];
      for (const alert of alerts) {
        progress(`investigating ${alert.investigationId}: ${alert.alertText.split("\n")[0]}${synthesisModel !== undefined ? ` (synthesis: ${modelSpec})` : ""}`);
        // A model call needs more of the reserve than the deterministic synthesis.
        const reserve = Math.min(config?.investigation.synthesis_reserve_seconds ?? (synthesisModel !== undefined ? 20 : 5), reportAfter / 2);
        const exit = await Effect.runPromiseExit(
          runInvestigation(alert, {
            render: (report, dialect) => renderReport(redactDeep(report), dialect, { priceTable: CLI_PRICES }),
            redact,
            synthesize: synthesisStep(synthesisModel, reserve),
            reportAfter: Duration.seconds(reportAfter),
            synthesisReserve: Duration.seconds(reserve),
            hardCutoff: Duration.seconds(reportAfter),
            announce: false,
            onEvent: (e) => Effect.sync(() => {
              const line = progressLine(e);
              if (line !== undefined) progress(line);
            })
          }).pipe(Effect.provideService(ChatPlatform, chat), Effect.provideService(Specialists, specialists))
        );
        if (Exit.isFailure(exit)) throw new CommandFailed(`investigation ${alert.investigationId} failed: ${redact(String(exit.cause).split("\n")[0] ?? "")}`);
        outputs.push(renderFor(redactDeep(exit.value.final), format));
        // Remembered like the server's investigations, so the next similar alert finds this one.
        if (specialists.memory !== undefined) await Effect.runPromise(remember(specialists.memory, alert, exit.value.final, config ?? emptyConfig, () => undefined));
      }
      const out = str(values["out"]);
      if (out === undefined) io.stdout(outputs.join(format === "markdown" || format === "discord" ? "\n---\n\n" : ""));
      else {
        try {
          await writeFile(resolve(io.cwd, out), outputs.join(format === "markdown" || format === "discord" ? "\n---\n\n" : ""));
        } catch (error) {
          throw new CommandFailed(`--out ${out}: cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 2);
        }
        progress(`report written to ${out}`);
      }
    } finally {
      await specialists.close();
    }
    return 0;
  }
};
