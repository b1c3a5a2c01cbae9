import { Effect } from "effect";
import type { NamespacedKind, NamespacedKinds } from "../kube/KubeObjects.js";
import { filterBySelectors, InvalidSelector } from "../kube/selectors.js";
import { tailLines } from "../kube/tailLines.js";
import { type ClusterSource, ClusterSourceError, type ListOptions } from "./ClusterSource.js";
import { type ClusterDump, DumpReadError, openClusterDump } from "./openClusterDump.js";

const toSourceError = (operation: string) => (e: unknown) => {
  if (e instanceof DumpReadError) return new ClusterSourceError({ reason: e.kind === "unreadable" ? "unreachable" : e.kind, operation, detail: e.message });
  if (e instanceof InvalidSelector) return new ClusterSourceError({ reason: "invalid", operation, detail: e.message });
  return new ClusterSourceError({ reason: "failed", operation, detail: e instanceof Error ? e.message : String(e) });
};

/**
 * A cluster as a `kubectl cluster-info dump --output-directory` tree recorded it: what incident
 * tickets and CI failures carry. Namespaces the dump lacks are simply empty.
 */
export const makeDumpClusterSource = (directory: string | ClusterDump): ClusterSource => {
  const dump = typeof directory === "string" ? openClusterDump(directory) : directory;
  const run = <A>(operation: string, body: () => Promise<A>) => Effect.tryPromise({ try: body, catch: toSourceError(operation) });
  return {
    description: `cluster dump ${dump.directory}`,
    listNodes: (options) => run("list nodes", async () => filterBySelectors(await dump.nodes(), options)),
    listPersistentVolumes: () => run("list persistentvolumes", () => dump.persistentVolumes()),
    listStorageClasses: () => run("list storageclasses", () => dump.storageClasses()),
    list: <K extends NamespacedKind>(kind: K, namespace: string | undefined, options?: ListOptions) =>
      run(`list ${kind}${namespace === undefined ? " in all namespaces" : ` in ${namespace}`}`, async () => {
        const namespaces = namespace === undefined ? await dump.namespaces() : [namespace];
        const items: Array<NamespacedKinds[K]> = [];
        for (const ns of namespaces) items.push(...(await dump.items(ns, kind)));
        return filterBySelectors(items, options);
      }),
    findConfigMaps: (name) =>
      run(`find configmap ${name} in all namespaces`, async () => {
        const homes: Array<string> = [];
        for (const ns of await dump.namespaces()) if ((await dump.configMaps(ns)).some((c) => c.metadata.name === name)) homes.push(ns);
        return homes;
      }),
    podLogs: (request) =>
      run(`${request.previous === true ? "previous " : ""}logs of ${request.namespace}/${request.pod} container ${request.container}`, async () => {
        const text = await dump.log(request.namespace, request.pod, request.container, request.previous === true);
        return text === undefined ? undefined : tailLines(text, request.tailLines);
      })
  };
};
