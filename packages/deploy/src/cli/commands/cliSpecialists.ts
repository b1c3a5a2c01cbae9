import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { type ClusterSourceSpec, makeEksSpecialist, openClusterSource } from "@sre-on-call/agents";
import type { Specialist, SpecialistsShape } from "@sre-on-call/core";
import { Effect, Exit, Result } from "effect";
import type { AppConfig } from "../../config/AppConfig.js";
import { decodeConfig } from "../../config/loadConfig.js";
import { buildCloudWatchLogs, buildPrometheus } from "../../runtime/buildSpecialists.js";
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


/** The specialists a CLI run uses: flags first, then config.yaml. Unusable inputs exit 2. */
export const cliSpecialists = async (
  values: Readonly<Record<string, unknown>>,
  config: AppConfig | undefined,
  io: CliIo,
  progress: (line: string) => void
): Promise<SpecialistsShape> => {
  const enabled: Array<Specialist> = [];
  const disabled: Array<string> = [];
  const spec = sourceFromFlags(values, io.cwd) ?? sourceFromConfig(config, io.cwd);
  if (spec !== undefined) {
    progress(`opening ${spec.kind === "dump" ? `cluster dump ${spec.directory}` : spec.kind === "eks" ? `EKS cluster ${spec.clusterName} (${spec.region})` : spec.kind}…`);
    const opened = await Effect.runPromiseExit(openClusterSource(spec));
    if (Exit.isFailure(opened)) throw new CommandFailed(`cannot use the Kubernetes data source: ${String(opened.cause).split("\n")[0]}`, 2);
    enabled.push(makeEksSpecialist(opened.value, spec.kind === "eks" ? { clusterName: spec.clusterName } : {}));
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
    if ("specialist" in built) enabled.push(built.specialist);
    else disabled.push(id);
  }
  return { enabled, disabled };
};
