import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EmbeddedStore, makeEmbeddedIncidentMemory } from "@sre-on-call/adapters";
import { type ClusterSourceSpec, makeEksSpecialist, makeEksTools, makeIncidentHistorySpecialist, makeIncidentHistoryTools, openClusterSource } from "@sre-on-call/agents";
import type { IncidentMemoryShape, SpecialistsShape } from "@sre-on-call/core";
import { applyConfiguredAgentMode, type BuiltSpecialist } from "../../runtime/configuredAgentMode.js";
import { Effect, Exit, Result } from "effect";
import type { AppConfig } from "../../config/AppConfig.js";
import { decodeConfig } from "../../config/loadConfig.js";
import { buildChats } from "../../runtime/buildChats.js";
import { buildChatHistory, buildCloudWatchLogs, buildPrometheus } from "../../runtime/buildSpecialists.js";
import { type CliIo, CommandFailed, UsageError } from "../CliIo.js";

/** The data-source flags `investigate` and `snapshot` share (node:util parseArgs options). */
export const SOURCE_OPTIONS = {
  "cluster-dump": { type: "string" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "in-cluster": { type: "boolean" },
  "eks-cluster": { type: "string" },
  region: { type: "string" },
  prometheus: { type: "string" },
  logs: { type: "string" }
} as const;

export const SOURCE_HELP = `Kubernetes data source (one of; default: agents.eks.data_source in config.yaml):
  --cluster-dump DIR    a \`kubectl cluster-info dump --output-directory DIR\` tree (offline)
  --kubeconfig PATH     a kubeconfig file (with --context NAME); read-only API calls only
  --in-cluster          the pod's service account
  --eks-cluster NAME    an EKS cluster (with --region); token from the default AWS credentials

Metrics:
  --prometheus URL      a Prometheus-compatible query API (default: agents.prometheus in
                        config.yaml, or PROMETHEUS_URL; PROMETHEUS_TOKEN for a bearer token)

Logs:
  --logs DIR            offline logs: files of \`aws logs filter-log-events\` JSON output or plain
                        log files, one log group per file (default: agents.cloudwatch-logs in
                        config.yaml — live CloudWatch Logs in its region)`;

/** Every default, for runs without a config.yaml. */
export const emptyConfig: AppConfig = Result.getOrThrow(decodeConfig({}, "defaults"));

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const sourceFromFlags = (values: Readonly<Record<string, unknown>>, cwd: string): ClusterSourceSpec | undefined => {
  const chosen = ["cluster-dump", "kubeconfig", "in-cluster", "eks-cluster"].filter((k) => values[k] !== undefined);
  if (chosen.length > 1) throw new UsageError(`choose one Kubernetes data source, not ${chosen.map((c) => `--${c}`).join(" and ")}.`);
  const dump = str(values["cluster-dump"]);
  if (dump !== undefined) return { kind: "dump", directory: resolve(cwd, dump) };
  const kubeconfig = str(values["kubeconfig"]);
  if (kubeconfig !== undefined) return { kind: "kubeconfig", path: resolve(cwd, kubeconfig), ...(str(values["context"]) !== undefined ? { context: str(values["context"])! } : {}) };
  if (values["in-cluster"] === true) return { kind: "in-cluster" };
  const eks = str(values["eks-cluster"]);
  if (eks !== undefined) {
    const region = str(values["region"]);
    if (region === undefined) throw new UsageError("--eks-cluster needs --region (for example --region eu-west-1).");
    return { kind: "eks", clusterName: eks, region };
  }
  return undefined;
};

const sourceFromConfig = (config: AppConfig | undefined, cwd: string): ClusterSourceSpec | undefined => {
  const ds = config?.agents.eks?.enabled === false ? undefined : config?.agents.eks?.data_source;
  if (ds === undefined) return undefined;
  if (ds.cluster_dump !== undefined) return { kind: "dump", directory: resolve(cwd, ds.cluster_dump) };
  if (ds.eks_cluster !== undefined && ds.region !== undefined) return { kind: "eks", clusterName: ds.eks_cluster, region: ds.region };
  if (ds.in_cluster === true) return { kind: "in-cluster" };
  if (ds.kubeconfig !== undefined || ds.context !== undefined) return { kind: "kubeconfig", ...(ds.kubeconfig !== undefined ? { path: resolve(cwd, ds.kubeconfig) } : {}), ...(ds.context !== undefined ? { context: ds.context } : {}) };
  return undefined;
};


export interface CliSpecialists extends SpecialistsShape {
  /** The incident memory when the store could be opened (CLI investigations are remembered too). */
  readonly memory?: IncidentMemoryShape;
  /** Releases what the run opened (the store's lock). */
  readonly close: () => Promise<void>;
}

/**
 * The specialists a CLI run uses: flags first, then config.yaml; channel history when the chat
 * platform's token is in the environment; incident history from the embedded store when no
 * server holds it. Unusable inputs exit 2.
 */
export const cliSpecialists = async (
  values: Readonly<Record<string, unknown>>,
  config: AppConfig | undefined,
  io: CliIo,
  progress: (line: string) => void
): Promise<CliSpecialists> => {
  const enabled: Array<BuiltSpecialist> = [];
  const disabled: Array<string> = [];
  const spec = sourceFromFlags(values, io.cwd) ?? sourceFromConfig(config, io.cwd);
  if (spec !== undefined) {
    progress(`opening ${spec.kind === "dump" ? `cluster dump ${spec.directory}` : spec.kind === "eks" ? `EKS cluster ${spec.clusterName} (${spec.region})` : spec.kind}…`);
    const opened = await Effect.runPromiseExit(openClusterSource(spec));
    if (Exit.isFailure(opened)) throw new CommandFailed(`cannot use the Kubernetes data source: ${String(opened.cause).split("\n")[0]}`, 2);
    const source = opened.value;
    enabled.push({ specialist: makeEksSpecialist(source, spec.kind === "eks" ? { clusterName: spec.clusterName } : {}), tools: () => makeEksTools(source) });
  } else {
    progress("no Kubernetes data source (--cluster-dump, --kubeconfig, --in-cluster or --eks-cluster)");
    disabled.push("eks");
  }
  const promUrl = str(values["prometheus"]);
  if (promUrl !== undefined && !/^https?:\/\//i.test(promUrl)) throw new UsageError("--prometheus must be an http(s) URL such as http://127.0.0.1:9090.");
  const logsDir = str(values["logs"]);
  if (logsDir !== undefined) {
    const st = await stat(resolve(io.cwd, logsDir)).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) throw new CommandFailed(`--logs ${logsDir}: not a directory`, 2);
  }
  const deps = { config: config ?? emptyConfig, env: io.env, cwd: io.cwd };
  for (const [id, build] of [
    ["prometheus", () => buildPrometheus(deps, promUrl)],
    ["cloudwatch-logs", () => buildCloudWatchLogs(deps, logsDir)]
  ] as const) {
    let built;
    try {
      built = build();
    } catch (error) {
      throw new CommandFailed(error instanceof Error ? error.message : String(error), 2);
    }
    if (built === undefined) continue;
    if ("specialist" in built) enabled.push(built);
    else disabled.push(id);
  }

  const cfg = config ?? emptyConfig;
  const silent = () => undefined;
  if (cfg.agents["slack-history"] !== undefined || cfg.agents["discord-history"] !== undefined) {
    let chats;
    try {
      chats = (await buildChats(cfg, io.env, silent, silent)).chats;
    } catch (error) {
      throw new CommandFailed(error instanceof Error ? error.message : String(error), 2);
    }
    for (const id of ["slack-history", "discord-history"] as const) {
      if (cfg.agents[id] === undefined || cfg.agents[id]?.enabled === false) continue;
      let built;
      try {
        built = buildChatHistory(id, { config: cfg, cwd: io.cwd, log: silent, chats });
      } catch (error) {
        throw new CommandFailed(error instanceof Error ? error.message : String(error), 2);
      }
      if ("specialist" in built) enabled.push(built);
      else {
        progress(`${id}: ${built.disabled}`);
        disabled.push(id);
      }
    }
  }

  let store: EmbeddedStore | undefined;
  let memory: IncidentMemoryShape | undefined;
  if (cfg.agents["incident-history"]?.enabled !== false) {
    const directory = join(resolve(io.cwd, cfg.store.directory), "store");
    try {
      store = await EmbeddedStore.open({ directory });
      const opened = makeEmbeddedIncidentMemory(store);
      memory = opened;
      enabled.push({ specialist: makeIncidentHistorySpecialist({ memory: opened }), tools: () => makeIncidentHistoryTools({ memory: opened }) });
    } catch (error) {
      progress(`incident-history: the store in ${directory} is not available (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
      disabled.push("incident-history");
    }
  }
  // `mode: agent` agents offer their tools (and MCP servers' tools) to their model, as in `serve`.
  const closers: Array<() => Promise<void>> = [];
  let shaped: SpecialistsShape;
  try {
    shaped = await applyConfiguredAgentMode(enabled, disabled, { config: cfg, env: io.env, log: (_level, message) => progress(message), onClose: (close) => void closers.push(close) });
  } catch (error) {
    await store?.close();
    throw new CommandFailed(error instanceof Error ? error.message : String(error), 2);
  }
  return {
    enabled: shaped.enabled,
    disabled: shaped.disabled,
    ...(memory !== undefined ? { memory } : {}),
    close: async () => {
      for (const close of closers) await close().catch(() => undefined);
      await store?.close();
    }
  };
};
