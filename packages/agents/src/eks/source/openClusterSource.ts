import { Effect } from "effect";
import { kubeConfigForEks } from "./aws/kubeConfigForEks.js";
import type { ClusterSource, ClusterSourceError } from "./ClusterSource.js";
import { makeDumpClusterSource } from "./DumpClusterSource.js";
import { makeLiveClusterSource } from "./LiveClusterSource.js";
import { loadKubeConfig } from "./loadKubeConfig.js";

/** Where the cluster comes from, as the CLI's flags say it. */
export type ClusterSourceSpec =
  /** `--cluster-dump DIR`: a `kubectl cluster-info dump --output-directory` tree. */
  | { readonly kind: "dump"; readonly directory: string }
  /** `--kubeconfig PATH [--context NAME]` (path defaults to `$KUBECONFIG`, then `~/.kube/config`). */
  | { readonly kind: "kubeconfig"; readonly path?: string; readonly context?: string; readonly requestTimeoutMs?: number }
  /** The pod's service account. */
  | { readonly kind: "in-cluster"; readonly requestTimeoutMs?: number }
  /** `--eks-cluster NAME`: DescribeCluster plus an IAM token, with the default AWS credential chain. */
  | { readonly kind: "eks"; readonly clusterName: string; readonly region: string; readonly requestTimeoutMs?: number };

/**
 * Opens a cluster source and checks that it answers (a dump directory is recognised, a cluster
 * lists its nodes), so a wrong path or dead credentials fail before any investigation starts.
 */
export const openClusterSource = (spec: ClusterSourceSpec): Effect.Effect<ClusterSource, ClusterSourceError> =>
  Effect.gen(function* () {
    const timeout = (ms: number | undefined) => (ms !== undefined ? { requestTimeoutMs: ms } : {});
    const source: ClusterSource =
      spec.kind === "dump"
        ? makeDumpClusterSource(spec.directory)
        : spec.kind === "eks"
          ? makeLiveClusterSource({ kubeConfig: yield* kubeConfigForEks({ clusterName: spec.clusterName, region: spec.region }), ...timeout(spec.requestTimeoutMs) })
          : makeLiveClusterSource({
              kubeConfig: yield* loadKubeConfig(
                spec.kind === "in-cluster"
                  ? { kind: "in-cluster" }
                  : { kind: "file", ...(spec.path !== undefined ? { path: spec.path } : {}), ...(spec.context !== undefined ? { context: spec.context } : {}) }
              ),
              ...timeout(spec.requestTimeoutMs)
            });
    yield* source.listNodes();
    return source;
  });
