import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import { asKubeObjects, type KubeObject, type NamespacedKind, type NamespacedKinds, type Node, type PersistentVolume, type StorageClass } from "../kube/KubeObjects.js";
import { isKubeName, type KubeNameKind, kubeNameProblem } from "../kube/names.js";

/**
 * The file of each kind in a `kubectl cluster-info dump --output-directory` tree. kubectl writes
 * pods, events, deployments, replicasets, daemonsets and services (and replication-controllers);
 * the others (statefulsets, endpoints, claims, quotas, jobs, cronjobs, networkpolicies) are
 * optional extras a team can add with `kubectl get KIND -n NS -o json > NS/FILE`.
 */
export const DUMP_FILES: Readonly<Record<NamespacedKind, string>> = {
  pods: "pods.json",
  events: "events.json",
  deployments: "deployments.json",
  replicasets: "replicasets.json",
  statefulsets: "statefulsets.json",
  daemonsets: "daemonsets.json",
  services: "services.json",
  endpoints: "endpoints.json",
  persistentvolumeclaims: "persistentvolumeclaims.json",
  resourcequotas: "resourcequotas.json",
  jobs: "jobs.json",
  cronjobs: "cronjobs.json",
  networkpolicies: "networkpolicies.json"
};

const LIST_FILES = [...Object.values(DUMP_FILES), "replication-controllers.json"];
/** `kubectl cluster-info dump -o yaml --output-directory` writes the same tree with `.yaml` files. */
const KNOWN_FILES = new Set([...LIST_FILES, ...LIST_FILES.map((f) => f.replace(/\.json$/, ".yaml"))]);

/**
 * `not-found`: a name that is not a Kubernetes name, or a file that resolves outside the dump
 * (a symbolic link): never read, whatever is there.
 */
export class DumpReadError extends Error {
  override readonly name = "DumpReadError";
  constructor(
    readonly kind: "unreadable" | "invalid" | "not-found",
    message: string
  ) {
    super(message);
  }
}

/** kubectl writes one such section per container into `<ns>/<pod>/logs.txt`. */
const SECTION = /^==== (START|END) logs for container (\S+) of pod \S+ ====$/;
const LOG_ERROR = /^(Request log error|Create log request error): /;

export interface ClusterDump {
  readonly directory: string;
  /** Namespaces the dump holds: directories with at least one known list file. */
  readonly namespaces: () => Promise<ReadonlyArray<string>>;
  readonly nodes: () => Promise<ReadonlyArray<Node>>;
  /** `persistentvolumes.json` at the top, when someone added `kubectl get pv -o json` to the dump; else none. */
  readonly persistentVolumes: () => Promise<ReadonlyArray<PersistentVolume>>;
  /** `storageclasses.json` at the top, when someone added `kubectl get storageclass -o json`; undefined when it is not there. */
  readonly storageClasses: () => Promise<ReadonlyArray<StorageClass> | undefined>;
  readonly items: <K extends NamespacedKind>(namespace: string, kind: K) => Promise<ReadonlyArray<NamespacedKinds[K]>>;
  /** `<namespace>/configmaps.json`, when someone added `kubectl get configmaps -o json` (cluster-info dump writes none); else none. */
  readonly configMaps: (namespace: string) => Promise<ReadonlyArray<KubeObject>>;
  /** The whole log of a container, or undefined when the dump has none for it. */
  readonly log: (namespace: string, pod: string, container: string, previous: boolean) => Promise<string | undefined>;
}

const isMissing = (e: unknown) => typeof e === "object" && e !== null && ((e as { code?: unknown }).code === "ENOENT" || (e as { code?: unknown }).code === "ENOTDIR");

const checkName = (kind: KubeNameKind, value: string): void => {
  const problem = kubeNameProblem(kind, value);
  if (problem !== undefined) throw new DumpReadError("not-found", `${problem}; nothing was read`);
};

const parseList = <T extends KubeObject>(path: string, text: string): ReadonlyArray<T> => {
  let parsed: unknown;
  try {
    parsed = path.endsWith(".yaml") ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (e) {
    throw new DumpReadError("invalid", `${path}: not ${path.endsWith(".yaml") ? "YAML" : "JSON"} (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  if (typeof parsed !== "object" || parsed === null || !("items" in parsed)) throw new DumpReadError("invalid", `${path}: not a Kubernetes list (no items)`);
  return asKubeObjects<T>((parsed as { items: unknown }).items);
};

const splitSections = (text: string): Map<string, string> | undefined => {
  const sections = new Map<string, Array<string>>();
  let current: Array<string> | undefined;
  let marked = false;
  for (const line of text.split("\n")) {
    const m = SECTION.exec(line);
    if (m !== null) {
      marked = true;
      if (m[1] === "START") {
        current = [];
        sections.set(m[2] ?? "", current);
      } else current = undefined;
      continue;
    }
    current?.push(line);
  }
  if (!marked) return undefined;
  const out = new Map<string, string>();
  for (const [container, lines] of sections) {
    const content = lines.filter((l) => l !== "");
    if (content.length === 0 || content.every((l) => LOG_ERROR.test(l))) continue;
    out.set(container, lines.join("\n"));
  }
  return out;
};

/**
 * Reads a cluster dump lazily: each file on first use, then from memory (a dump never changes).
 * Missing files are empty lists, since kubectl's own set varies by version and flags.
 */
export const openClusterDump = (directory: string): ClusterDump => {
  const cache = new Map<string, Promise<unknown>>();
  const cached = <A>(key: string, load: () => Promise<A>): Promise<A> => {
    let hit = cache.get(key) as Promise<A> | undefined;
    if (hit === undefined) {
      hit = load();
      cache.set(key, hit);
    }
    return hit;
  };
  const root = () => cached("\u0000root", () => realpath(directory));
  // The file as it resolves (symbolic links followed) is read only when it is still inside the dump.
  const readOptional = async (path: string): Promise<string | undefined> => {
    try {
      const [real, top] = await Promise.all([realpath(path), root()]);
      if (real !== top && !real.startsWith(top.endsWith(sep) ? top : top + sep)) throw new DumpReadError("not-found", `${path} resolves outside the cluster dump ${directory} (a symbolic link?); it was not read`);
      return await readFile(real, "utf8");
    } catch (e) {
      if (e instanceof DumpReadError) throw e;
      if (isMissing(e)) return undefined;
      throw new DumpReadError("unreadable", `${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const list = <T extends KubeObject>(path: string) =>
    cached(path, async () => {
      const text = await readOptional(path);
      if (text !== undefined) return parseList<T>(path, text);
      const yamlPath = path.replace(/\.json$/, ".yaml");
      const yamlText = await readOptional(yamlPath);
      return yamlText === undefined ? [] : parseList<T>(yamlPath, yamlText);
    });
  const scanNamespaces = async (): Promise<ReadonlyArray<string>> => {
    const entries = await readdir(directory, { withFileTypes: true });
    const namespaces: Array<string> = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !isKubeName("namespace", entry.name)) continue;
      const files = await readdir(join(directory, entry.name)).catch(() => [] as Array<string>);
      if (files.some((f) => KNOWN_FILES.has(f))) namespaces.push(entry.name);
    }
    return namespaces.sort();
  };
  const namespaces = () =>
    cached("namespaces", async () => {
      try {
        return await scanNamespaces();
      } catch (e) {
        throw new DumpReadError("unreadable", `${directory}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  // A dump is recognised by its layout, so a wrong path fails at once instead of looking like an empty cluster.
  const ensureDirectory = () =>
    cached("", async () => {
      try {
        if (!(await stat(directory)).isDirectory()) throw new DumpReadError("unreadable", `${directory} is not a directory`);
      } catch (e) {
        if (e instanceof DumpReadError) throw e;
        throw new DumpReadError("unreadable", `${directory}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const top = await readdir(directory).catch(() => [] as Array<string>);
      if (top.includes("nodes.json") || top.includes("nodes.yaml")) return;
      if ((await namespaces()).length > 0) return;
      throw new DumpReadError(
        "invalid",
        `${directory} is not a cluster dump: it has no nodes.json and no <namespace>/pods.json (make one with \`kubectl cluster-info dump --all-namespaces --output-directory ${directory}\`)`
      );
    });

  return {
    directory,
    namespaces: async () => {
      await ensureDirectory();
      return namespaces();
    },
    nodes: async () => {
      await ensureDirectory();
      return list<Node>(join(directory, "nodes.json"));
    },
    persistentVolumes: async () => {
      await ensureDirectory();
      return list<PersistentVolume>(join(directory, "persistentvolumes.json"));
    },
    storageClasses: async () => {
      await ensureDirectory();
      const path = join(directory, "storageclasses.json");
      const text = (await readOptional(path)) ?? (await readOptional(path.replace(/\.json$/, ".yaml")));
      return text === undefined ? undefined : list<StorageClass>(path);
    },
    items: async (namespace, kind) => {
      checkName("namespace", namespace);
      await ensureDirectory();
      return list(join(directory, namespace, DUMP_FILES[kind]));
    },
    configMaps: async (namespace) => {
      checkName("namespace", namespace);
      await ensureDirectory();
      return list(join(directory, namespace, "configmaps.json"));
    },
    log: async (namespace, pod, container, previous) => {
      checkName("namespace", namespace);
      checkName("pod", pod);
      checkName("container", container);
      await ensureDirectory();
      const podDirectory = join(directory, namespace, pod);
      if (previous) {
        const text = await cached(`${podDirectory}/previous/${container}`, () => readOptional(join(podDirectory, `logs-${container}-previous.txt`)));
        return text === undefined || text.trim() === "" ? undefined : text;
      }
      const sections = await cached(`${podDirectory}/logs`, async () => {
        const text = await readOptional(join(podDirectory, "logs.txt"));
        return text === undefined ? new Map<string, string>() : (splitSections(text) ?? new Map([["", text]]));
      });
      // A logs.txt without kubectl's section markers is one container's plain `kubectl logs` output.
      return sections.get(container) ?? (sections.size === 1 ? sections.get("") : undefined);
    }
  };
};
