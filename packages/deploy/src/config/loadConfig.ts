import { readFile } from "node:fs/promises";
import { Result, Schema } from "effect";
import { parseDocument } from "yaml";
import { chatHistoryConfig } from "@sre-on-call/agents";
import { compilePatternRules, makeRedactor } from "@sre-on-call/core";
import { decodeCloudWatchLogsDataSource, decodePrometheusDataSource } from "../runtime/buildSpecialists.js";
import { AGENT_IDS, AppConfig } from "./AppConfig.js";

/** A configuration that cannot be used; each problem names the key and the fix. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly source: string,
    readonly problems: ReadonlyArray<string>
  ) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const valueAt = (input: unknown, path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined), input);

const shortJson = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Schema messages (`Expected boolean` / `at ["classifier"]["enabled"]`) → `classifier.enabled: Expected boolean, got "maybe"`. */
const formatSchemaMessage = (message: string, input: unknown): ReadonlyArray<string> => {
  const lines = message.split("\n");
  const out: Array<string> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("at [")) continue;
    const next = lines[i + 1]?.trim() ?? "";
    const segments: Array<string | number> = next.startsWith("at [")
      ? [...next.slice(3).matchAll(/\[("(?:[^"\\]|\\.)*"|\d+)\]/g)].map((m) => (m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : Number(m[1])))
      : [];
    const path = segments.map((k) => (typeof k === "number" ? `[${k}]` : k)).join(".").replace(/\.\[/g, "[");
    const excess = /excess propert|Unexpected key/i.test(line);
    const detail = excess
      ? "unknown key; remove it or check its spelling (see docs/configuration.md)"
      : line.startsWith("Expected") && segments.length > 0 && valueAt(input, segments) !== undefined
        ? `${line}, got ${shortJson(valueAt(input, segments))}`
        : line;
    out.push(path === "" ? detail : `${path}: ${detail}`);
  }
  return out;
};

const semanticProblems = (config: AppConfig): ReadonlyArray<string> => {
  const problems: Array<string> = [];
  if (config.agents.master?.enabled === false) {
    problems.push("agents.master.enabled: the master agent runs every investigation and cannot be disabled; remove the key or set it to true.");
  }
  const eks = config.agents.eks;
  if (eks !== undefined && eks.enabled !== false && eks.data_source?.private_endpoint === true) {
    const mode = eks.network_mode ?? config.defaults.network_mode;
    if (mode !== "VPC") {
      problems.push("agents.eks.network_mode: the EKS cluster's API endpoint is private, so the agent needs VPC network mode; set agents.eks.network_mode: VPC.");
    }
  }
  const ds = eks?.data_source;
  if (ds !== undefined) {
    const sources = [ds.cluster_dump, ds.kubeconfig ?? ds.context, ds.in_cluster === true ? "in-cluster" : undefined, ds.eks_cluster].filter((x) => x !== undefined);
    if (sources.length > 1) {
      problems.push("agents.eks.data_source: choose one of cluster_dump, kubeconfig (with optional context), in_cluster or eks_cluster.");
    }
    if (ds.eks_cluster !== undefined && ds.region === undefined) {
      problems.push("agents.eks.data_source.region: set the AWS region of the EKS cluster (for example eu-west-1).");
    }
  }
  // Each specialist's data source is checked with the specialist's own schema.
  const prometheusSource = decodePrometheusDataSource(config.agents.prometheus?.data_source ?? {});
  if (Result.isFailure(prometheusSource)) problems.push(prometheusSource.failure.message);
  const logsSource = decodeCloudWatchLogsDataSource(config.agents["cloudwatch-logs"]?.data_source ?? {});
  if (Result.isFailure(logsSource)) problems.push(logsSource.failure.message);
  for (const id of ["slack-history", "discord-history"] as const) {
    const ds = config.agents[id]?.data_source;
    if (ds === undefined) continue;
    const checked = chatHistoryConfig(id, ds);
    if (Result.isFailure(checked)) problems.push(checked.failure.message);
  }
  // The same checks the redactor applies at startup, so `config validate` and the running process agree.
  config.redaction.patterns.forEach((pattern, i) => {
    const compiled = makeRedactor([pattern]);
    if (Result.isFailure(compiled)) {
      problems.push(`redaction.patterns[${i}]: ${JSON.stringify(pattern.slice(0, 60))} is not usable: ${compiled.failure.reason}; write a JavaScript regex that matches only the secret, e.g. "acme_[A-Za-z0-9]{32}".`);
    }
  });
  config.intake.discord_allowed_link_channels.forEach((id, i) => {
    if (!/^\d{1,20}$/.test(id)) {
      problems.push(`intake.discord_allowed_link_channels[${i}]: ${JSON.stringify(id.slice(0, 60))} is not a Discord channel id; use the digits (Discord → User Settings → Advanced → Developer Mode, then right-click the channel → Copy Channel ID).`);
    }
  });
  const requestTimeout = config.intake.request_timeout_seconds;
  if (requestTimeout < 1 || requestTimeout > 300) {
    problems.push(`intake.request_timeout_seconds: must be between 1 and 300 seconds (webhooks send their small bodies at once; 10 to 15 is plenty), not ${requestTimeout}.`);
  }
  // The same checks the gate applies at startup.
  const rules = compilePatternRules(config.classifier.rules);
  if (Result.isFailure(rules)) problems.push(`${rules.failure.message}; see docs/configuration.md (classifier.rules).`);
  const otlp = config.telemetry.otlp_endpoint;
  if (otlp !== undefined && !/^https?:\/\/[^\s]+$/i.test(otlp)) {
    problems.push(`telemetry.otlp_endpoint: must be an http(s) URL such as http://localhost:4318/v1/traces, not ${JSON.stringify(otlp.slice(0, 60))}.`);
  }
  for (const [id, agent] of Object.entries(config.agents)) {
    if (agent?.mode === "agent" && (agent.model ?? config.defaults.model) === "none") {
      problems.push(`agents.${id}.mode: agent mode needs a model; set agents.${id}.model or defaults.model, or use mode: deterministic.`);
    }
  }
  return problems;
};

/** Validates an already-parsed configuration object. Never throws. */
export const decodeConfig = (input: unknown, source: string): Result.Result<AppConfig, ConfigError> => {
  const problems: Array<string> = [];
  if (input === null || input === undefined) input = {};
  if (typeof input !== "object" || Array.isArray(input)) return Result.fail(new ConfigError(source, ["the top level must be a mapping of keys to values."]));
  const agents = (input as Record<string, unknown>)["agents"];
  if (agents !== undefined && agents !== null && typeof agents === "object" && !Array.isArray(agents)) {
    for (const id of Object.keys(agents)) {
      if (!(AGENT_IDS as ReadonlyArray<string>).includes(id)) problems.push(`agents.${id}: unknown agent; known agents are ${AGENT_IDS.join(", ")}.`);
    }
    if (problems.length > 0) return Result.fail(new ConfigError(source, problems));
  }
  const decoded = Schema.decodeUnknownResult(AppConfig)(input, { errors: "all", onExcessProperty: "error" });
  if (Result.isFailure(decoded)) return Result.fail(new ConfigError(source, formatSchemaMessage(decoded.failure.message, input)));
  const semantic = semanticProblems(decoded.success);
  return semantic.length > 0 ? Result.fail(new ConfigError(source, semantic)) : Result.succeed(decoded.success);
};

/** Parses YAML text (with line numbers in syntax errors) and validates it. */
export const parseConfigText = (text: string, source: string): Result.Result<AppConfig, ConfigError> => {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return Result.fail(new ConfigError(source, doc.errors.map((e) => `YAML: ${e.message.split("\n")[0]}`)));
  return decodeConfig(doc.toJS({ maxAliasCount: 100 }), source);
};

/** Loads a config file; a missing file is a ConfigError naming the path. */
export const loadConfigFile = async (path: string): Promise<Result.Result<AppConfig, ConfigError>> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return Result.fail(new ConfigError(path, [code === "ENOENT" ? "file not found; pass --config PATH or create config.yaml" : `cannot read the file (${code ?? String(error)})`]));
  }
  return parseConfigText(text, path);
};
