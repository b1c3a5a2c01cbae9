import type { KubeObject, NamespacedKind, NamespacedKinds, Node, PersistentVolume, StorageClass } from "../kube/KubeObjects.js";

export type NamespaceObjects = { readonly [K in NamespacedKind]: ReadonlyArray<NamespacedKinds[K]> };

export interface ContainerLog {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly current?: string;
  /** The log of the instance before the last restart. */
  readonly previous?: string;
}

/** Something the investigation meant to read and could not: it is reported, never silently skipped. */
export interface Gap {
  readonly what: string;
  readonly reason: string;
}

/**
 * The objects an investigation loaded: only what is relevant to the alert (the affected
 * workload's namespace, the dependencies its logs point to, the nodes), never the whole cluster.
 */
export interface ClusterView {
  readonly source: string;
  readonly nodes: ReadonlyArray<Node>;
  /** Services of every namespace, so an IP or a name in a log line can be resolved. */
  readonly services: NamespaceObjects["services"];
  readonly namespaces: ReadonlyMap<string, NamespaceObjects>;
  /** PersistentVolumes, read when a claim is not bound (undefined: not read, or the source has none). */
  readonly persistentVolumes?: ReadonlyArray<PersistentVolume>;
  /** StorageClasses, read when a claim is not bound (undefined: not read, or the source does not hold them). */
  readonly storageClasses?: ReadonlyArray<StorageClass>;
  /**
   * Where ConfigMaps that a pod's events say are missing do exist: name → the namespaces holding
   * one of that name. Read only for names a "not found" message gives (undefined: none read).
   */
  readonly configMapHomes?: ReadonlyMap<string, ReadonlyArray<string>>;
  readonly logs: ReadonlyMap<string, ContainerLog>;
  readonly gaps: ReadonlyArray<Gap>;
}

export const logKey = (namespace: string, pod: string, container: string) => `${namespace}/${pod}/${container}`;

const identity = (o: KubeObject) => o.metadata.uid ?? `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

const emptyNamespace = (): { [K in NamespacedKind]: Array<NamespacedKinds[K]> } => ({
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

/** Accumulates a view while it loads, so whatever arrived before a deadline can still be analysed. */
export class ClusterViewBuilder {
  private nodes: ReadonlyArray<Node> = [];
  private services: NamespaceObjects["services"] = [];
  private persistentVolumes: ReadonlyArray<PersistentVolume> | undefined;
  private storageClasses: ReadonlyArray<StorageClass> | undefined;
  private readonly configMapHomes = new Map<string, ReadonlyArray<string>>();
  private readonly namespaces = new Map<string, { [K in NamespacedKind]: Array<NamespacedKinds[K]> }>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly logs = new Map<string, ContainerLog>();
  private readonly gaps: Array<Gap> = [];
  private readonly pending = new Set<string>();

  constructor(private readonly source: string) {}

  setNodes(nodes: ReadonlyArray<Node>): void {
    this.nodes = nodes;
  }

  setServices(services: NamespaceObjects["services"]): void {
    this.services = services;
  }

  setPersistentVolumes(volumes: ReadonlyArray<PersistentVolume>): void {
    this.persistentVolumes = volumes;
  }

  setStorageClasses(classes: ReadonlyArray<StorageClass>): void {
    this.storageClasses = classes;
  }

  setConfigMapHomes(name: string, namespaces: ReadonlyArray<string>): void {
    this.configMapHomes.set(name, namespaces);
  }

  /** Adds objects, ignoring ones already present (the same object can arrive by several queries). */
  add<K extends NamespacedKind>(kind: K, objects: ReadonlyArray<NamespacedKinds[K]>, fallbackNamespace?: string): void {
    for (const o of objects) {
      const namespace = o.metadata.namespace ?? fallbackNamespace;
      if (namespace === undefined) continue;
      let ns = this.namespaces.get(namespace);
      if (ns === undefined) {
        ns = emptyNamespace();
        this.namespaces.set(namespace, ns);
      }
      const key = `${namespace}/${kind}`;
      let seen = this.seen.get(key);
      if (seen === undefined) {
        seen = new Set();
        this.seen.set(key, seen);
      }
      const id = identity(o);
      if (seen.has(id)) continue;
      seen.add(id);
      (ns[kind] as Array<NamespacedKinds[K]>).push(o);
    }
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }

  setLog(log: ContainerLog): void {
    this.logs.set(logKey(log.namespace, log.pod, log.container), log);
  }

  hasLog(namespace: string, pod: string, container: string): boolean {
    return this.logs.has(logKey(namespace, pod, container));
  }

  gap(what: string, reason: string): void {
    if (!this.gaps.some((g) => g.what === what)) this.gaps.push({ what, reason });
  }

  begin(what: string): void {
    this.pending.add(what);
  }

  end(what: string): void {
    this.pending.delete(what);
  }

  /** The view as it stands; steps still running become gaps with `reason`. */
  build(unfinishedReason = "not read before the deadline"): ClusterView {
    const gaps = [...this.gaps, ...[...this.pending].filter((p) => !this.gaps.some((g) => g.what === p)).map((what) => ({ what, reason: unfinishedReason }))];
    return {
      source: this.source,
      nodes: this.nodes,
      services: this.services,
      namespaces: new Map([...this.namespaces].map(([name, objects]) => [name, { ...objects }])),
      logs: new Map(this.logs),
      ...(this.persistentVolumes !== undefined ? { persistentVolumes: this.persistentVolumes } : {}),
      ...(this.storageClasses !== undefined ? { storageClasses: this.storageClasses } : {}),
      ...(this.configMapHomes.size > 0 ? { configMapHomes: new Map(this.configMapHomes) } : {}),
      gaps
    };
  }
}

export const EMPTY_NAMESPACE: NamespaceObjects = emptyNamespace();
