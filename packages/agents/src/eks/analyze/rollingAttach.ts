import type { Deployment, PersistentVolumeClaim, Pod } from "../kube/KubeObjects.js";
import { selectsLabels } from "../kube/selectors.js";
import { listNames } from "./podFacts.js";

/**
 * Why a Deployment's new pod meets a Multi-Attach error: the Deployment's own strategy. With
 * RollingUpdate (the default) the new pod is started before the old one stops; when both mount
 * the same ReadWriteOnce claim and land on different nodes, the volume stays attached to the old
 * pod's node and the new pod waits forever. Strategy Recreate stops the old pod first.
 * Real cases: harvester/vm-import-controller#23 (Longhorn RWO claim, upgrade stuck; fixed with
 * Recreate), suxess-it/kubrix#893 (pgadmin4 Deployment update, the old ReplicaSet's pod holds the
 * RWO volume; deleting the old ReplicaSet let the new pod start).
 *
 * Only when the data read shows it: the Deployment's strategy, the claim's ReadWriteOnce mode, and
 * a pod of the same Deployment (its selector) holding the claim on another node. A holder of another
 * workload (a CronJob's pod, a debug pod) or a node that is gone is another cause.
 */
export interface RollingAttach {
  readonly text: string;
}

const SINGLE_NODE_MODES = new Set(["ReadWriteOnce", "ReadWriteOncePod"]);

export const rollingUpdateHolds = (deployment: Deployment | undefined, claim: PersistentVolumeClaim | undefined, holders: ReadonlyArray<Pod>, newNode: string | undefined): RollingAttach | undefined => {
  if (deployment === undefined || claim === undefined || holders.length === 0) return undefined;
  const strategy = deployment.spec?.strategy?.type ?? "RollingUpdate";
  if (strategy !== "RollingUpdate") return undefined;
  const modes = claim.spec?.accessModes ?? [];
  if (!modes.some((m) => SINGLE_NODE_MODES.has(m))) return undefined;
  const template = deployment.spec?.template?.spec?.volumes ?? [];
  if (!template.some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name)) return undefined;
  if (!holders.every((p) => selectsLabels(deployment.spec?.selector, p.metadata.labels))) return undefined;
  const explicit = deployment.spec?.strategy?.type === undefined ? " (the default)" : "";
  return {
    text: `Deployment ${deployment.metadata.name} uses strategy RollingUpdate${explicit} with the ${modes.filter((m) => SINGLE_NODE_MODES.has(m)).join("/")} claim ${claim.metadata.name}: the update started the new pod${newNode !== undefined ? ` on ${newNode}` : ""} while its old pod ${listNames(holders.map((p) => p.metadata.name))} still holds the volume on ${listNames([...new Set(holders.map((p) => p.spec?.nodeName ?? "another node"))])}, so it cannot attach (strategy Recreate stops the old pod first)`
  };
};
