import { KubeConfig } from "@kubernetes/client-node";
import { Effect } from "effect";
import { ClusterSourceError } from "./ClusterSource.js";

export type KubeConfigOrigin =
  /** A kubeconfig file (default: `$KUBECONFIG`, then `~/.kube/config`), optionally one of its contexts. */
  | { readonly kind: "file"; readonly path?: string; readonly context?: string }
  /** The pod's service account, when running inside the cluster. */
  | { readonly kind: "in-cluster" };

/** Loads client-node's configuration; a missing file, context or service account is a typed error. */
export const loadKubeConfig = (origin: KubeConfigOrigin): Effect.Effect<KubeConfig, ClusterSourceError> =>
  Effect.try({
    try: () => {
      const kc = new KubeConfig();
      if (origin.kind === "in-cluster") {
        if (process.env["KUBERNETES_SERVICE_HOST"] === undefined) throw new Error("not running in a cluster: KUBERNETES_SERVICE_HOST is not set");
        kc.loadFromCluster();
        return kc;
      }
      if (origin.path !== undefined) kc.loadFromFile(origin.path);
      else kc.loadFromDefault();
      if (origin.context !== undefined) {
        if (kc.getContextObject(origin.context) === null) throw new Error(`no context "${origin.context}" in the kubeconfig`);
        kc.setCurrentContext(origin.context);
      }
      if (kc.getCurrentCluster() === null) throw new Error("the kubeconfig has no current cluster");
      return kc;
    },
    catch: (e) =>
      new ClusterSourceError({
        reason: "not-found",
        operation: origin.kind === "in-cluster" ? "load in-cluster configuration" : `load kubeconfig ${origin.path ?? "(default)"}`,
        detail: e instanceof Error ? e.message : String(e)
      })
  });
