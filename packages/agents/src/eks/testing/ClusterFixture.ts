import type { NamespacedKind, NamespacedKinds, Node, PersistentVolume, StorageClass } from "../kube/KubeObjects.js";

export interface FixtureLog {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly current?: string;
  readonly previous?: string;
}

type Namespaced = { [K in NamespacedKind]: Array<NamespacedKinds[K]> };

const emptyNamespace = (): Namespaced => ({
  pods: [],
  events: [],
  deployments: [],
  replicasets: [],
  statefulsets: [],
  daemonsets: [],
  services: [],
  endpoints: [],
  persistentvolumeclaims: [],
  resourcequotas: [],
  jobs: [],
  cronjobs: [],
  networkpolicies: []
});

/**
 * The objects of one cluster, as a test or an example describes it. The same fixture is written
 * as a `kubectl cluster-info dump` tree (`writeClusterDump`) and served by the fake API server
 * (`startFakeKubeApi`), so both sources can be checked against each other.
 */
export class ClusterFixture {
  readonly nodes: Array<Node> = [];
  readonly namespaces = new Map<string, Namespaced>();
  readonly logs: Array<FixtureLog> = [];
  readonly persistentVolumes: Array<PersistentVolume> = [];
  /** Undefined: the dump has no `storageclasses.json` (the fake API server still answers, with none). */
  storageClasses: Array<StorageClass> | undefined;

  addNodes(...nodes: ReadonlyArray<Node>): this {
    this.nodes.push(...nodes);
    return this;
  }

  addPersistentVolumes(...volumes: ReadonlyArray<PersistentVolume>): this {
    this.persistentVolumes.push(...volumes);
    return this;
  }

  addStorageClasses(...classes: ReadonlyArray<StorageClass>): this {
    this.storageClasses = [...(this.storageClasses ?? []), ...classes];
    return this;
  }

  /** Adds namespaced objects; each goes to its `metadata.namespace`. */
  add<K extends NamespacedKind>(kind: K, ...objects: ReadonlyArray<NamespacedKinds[K]>): this {
    for (const o of objects) {
      const ns = o.metadata.namespace ?? "default";
      let lists = this.namespaces.get(ns);
      if (lists === undefined) {
        lists = emptyNamespace();
        this.namespaces.set(ns, lists);
      }
      (lists[kind] as Array<NamespacedKinds[K]>).push(o);
    }
    return this;
  }

  addLog(log: FixtureLog): this {
    this.logs.push(log);
    return this;
  }

  /** Several kinds at once, as the `workload` builders return them. */
  addAll(objects: Partial<{ [K in NamespacedKind]: ReadonlyArray<NamespacedKinds[K]> }>): this {
    for (const kind of Object.keys(objects) as Array<NamespacedKind>) this.add(kind, ...((objects[kind] ?? []) as ReadonlyArray<NamespacedKinds[typeof kind]>));
    return this;
  }

  list<K extends NamespacedKind>(kind: K, namespace?: string): ReadonlyArray<NamespacedKinds[K]> {
    if (namespace !== undefined) return (this.namespaces.get(namespace)?.[kind] ?? []) as ReadonlyArray<NamespacedKinds[K]>;
    return [...this.namespaces.keys()].sort().flatMap((ns) => (this.namespaces.get(ns)?.[kind] ?? []) as ReadonlyArray<NamespacedKinds[K]>);
  }

  log(namespace: string, pod: string, container: string): FixtureLog | undefined {
    return this.logs.find((l) => l.namespace === namespace && l.pod === pod && l.container === container);
  }
}
