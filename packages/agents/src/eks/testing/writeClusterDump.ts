import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DUMP_FILES } from "../source/openClusterDump.js";
import type { NamespacedKind } from "../kube/KubeObjects.js";
import type { ClusterFixture } from "./ClusterFixture.js";

const LIST_KINDS: Readonly<Record<NamespacedKind | "nodes" | "replication-controllers", string>> = {
  nodes: "NodeList",
  pods: "PodList",
  events: "EventList",
  deployments: "DeploymentList",
  replicasets: "ReplicaSetList",
  statefulsets: "StatefulSetList",
  daemonsets: "DaemonSetList",
  services: "ServiceList",
  endpoints: "EndpointsList",
  persistentvolumeclaims: "PersistentVolumeClaimList",
  resourcequotas: "ResourceQuotaList",
  jobs: "JobList",
  cronjobs: "CronJobList",
  networkpolicies: "NetworkPolicyList",
  "replication-controllers": "ReplicationControllerList"
};

/** The files `kubectl cluster-info dump --output-directory` always writes for a namespace. */
const KUBECTL_KINDS: ReadonlyArray<NamespacedKind> = ["events", "services", "daemonsets", "deployments", "replicasets", "pods"];

const API_VERSIONS: Partial<Readonly<Record<keyof typeof LIST_KINDS, string>>> = { jobs: "batch/v1", cronjobs: "batch/v1", networkpolicies: "networking.k8s.io/v1" };

const list = (kind: keyof typeof LIST_KINDS, items: ReadonlyArray<unknown>) =>
  `${JSON.stringify({ kind: LIST_KINDS[kind], apiVersion: API_VERSIONS[kind] ?? (kind === "pods" || kind === "events" || kind === "services" || kind === "nodes" || kind === "endpoints" || kind === "persistentvolumeclaims" || kind === "resourcequotas" || kind === "replication-controllers" ? "v1" : "apps/v1"), metadata: { resourceVersion: "48213377" }, items }, null, 4)}\n`;

/**
 * Writes `fixture` as kubectl lays out a cluster dump: `nodes.json`, per namespace the list files
 * kubectl always writes (plus the optional extras the fixture has objects for), and each pod's
 * `logs.txt` with kubectl's per-container section markers; previous logs go to
 * `logs-<container>-previous.txt` beside it.
 */
export const writeClusterDump = async (fixture: ClusterFixture, directory: string): Promise<void> => {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, "nodes.json"), list("nodes", fixture.nodes));
  // Not written by kubectl cluster-info dump: the extras a person adds with kubectl get pv / storageclass -o json.
  if (fixture.persistentVolumes.length > 0) await writeFile(join(directory, "persistentvolumes.json"), `${JSON.stringify({ kind: "PersistentVolumeList", apiVersion: "v1", metadata: {}, items: fixture.persistentVolumes }, null, 4)}\n`);
  if (fixture.storageClasses !== undefined)
    await writeFile(join(directory, "storageclasses.json"), `${JSON.stringify({ kind: "StorageClassList", apiVersion: "storage.k8s.io/v1", metadata: {}, items: fixture.storageClasses }, null, 4)}\n`);
  for (const [namespace, lists] of fixture.namespaces) {
    const dir = join(directory, namespace);
    await mkdir(dir, { recursive: true });
    for (const kind of Object.keys(DUMP_FILES) as Array<NamespacedKind>) {
      if (!KUBECTL_KINDS.includes(kind) && lists[kind].length === 0) continue;
      await writeFile(join(dir, DUMP_FILES[kind]), list(kind, lists[kind]));
    }
    await writeFile(join(dir, "replication-controllers.json"), list("replication-controllers", []));
    for (const pod of lists.pods) {
      const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name ?? "");
      const podDir = join(dir, pod.metadata.name);
      await mkdir(podDir, { recursive: true });
      let text = "";
      for (const container of containers) {
        const log = fixture.log(namespace, pod.metadata.name, container);
        text += `==== START logs for container ${container} of pod ${namespace}/${pod.metadata.name} ====\n`;
        if (log?.current !== undefined) text += log.current.endsWith("\n") || log.current === "" ? log.current : `${log.current}\n`;
        else if (pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.running === undefined) {
          text += `Request log error: the server rejected our request for an unknown reason (get pods ${pod.metadata.name})\n`;
        }
        text += `==== END logs for container ${container} of pod ${namespace}/${pod.metadata.name} ====\n`;
        if (log?.previous !== undefined) await writeFile(join(podDir, `logs-${container}-previous.txt`), log.previous);
      }
      await writeFile(join(podDir, "logs.txt"), text);
    }
  }
};
