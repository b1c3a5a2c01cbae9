import type { Container, Pod } from "../kube/KubeObjects.js";

export interface MissingConfig {
  readonly kind: "Secret" | "ConfigMap";
  readonly name: string;
  readonly key?: string;
}

/**
 * The kubelet's wording for a missing Secret/ConfigMap or key: `couldn't find key K in Secret
 * ns/name` (sentry-kubernetes/charts#1433, keptn/lifecycle-toolkit#588, shieldworks/aegis#293),
 * `secret "x" not found` / `configmap "x" not found` (open-metadata/openmetadata-helm-charts#46,
 * rustyrazorblade/easy-db-lab#733, carlosedp/cluster-monitoring#21), and the plural API wording
 * `secrets "x" not found` (IBM/event-streams#11).
 */
export const parseConfigError = (message: string): MissingConfig | undefined => {
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (?:[\w.-]+\/)?([\w.-]+)/i.exec(message);
  if (key !== null) return { kind: key[2]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap", name: key[3] ?? "", key: key[1] ?? "" };
  const object = /(secret|configmap)s? "([\w.-]+)" not found/i.exec(message);
  if (object !== null) return { kind: object[1]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap", name: object[2] ?? "" };
  return undefined;
};

/** Where a pod spec refers to a Secret or ConfigMap: `env DB_PASSWORD`, `envFrom`, `volume certs`. */
export interface ConfigReference {
  readonly kind: "Secret" | "ConfigMap";
  readonly name: string;
  readonly key?: string;
  readonly via: string;
  readonly optional: boolean;
}

const objects = <T>(value: ReadonlyArray<T> | undefined): ReadonlyArray<T> => (Array.isArray(value) ? (value as ReadonlyArray<T>).filter((v) => typeof v === "object" && v !== null) : []);

/** Every Secret and ConfigMap a container needs to start: its env, envFrom, and the pod volumes it mounts. */
export const configReferences = (pod: Pod, container: Container | undefined): ReadonlyArray<ConfigReference> => {
  const out: Array<ConfigReference> = [];
  if (container === undefined) return out;
  for (const env of objects(container.env)) {
    const secret = env.valueFrom?.secretKeyRef;
    const map = env.valueFrom?.configMapKeyRef;
    if (typeof secret?.name === "string")
      out.push({ kind: "Secret", name: secret.name, ...(typeof secret.key === "string" ? { key: secret.key } : {}), via: `env ${env.name ?? "?"}`, optional: secret.optional === true });
    if (typeof map?.name === "string") out.push({ kind: "ConfigMap", name: map.name, ...(typeof map.key === "string" ? { key: map.key } : {}), via: `env ${env.name ?? "?"}`, optional: map.optional === true });
  }
  for (const from of objects(container.envFrom)) {
    const ref = from as { readonly secretRef?: { readonly name?: string; readonly optional?: boolean }; readonly configMapRef?: { readonly name?: string; readonly optional?: boolean } };
    if (typeof ref.secretRef?.name === "string") out.push({ kind: "Secret", name: ref.secretRef.name, via: "envFrom", optional: ref.secretRef.optional === true });
    if (typeof ref.configMapRef?.name === "string") out.push({ kind: "ConfigMap", name: ref.configMapRef.name, via: "envFrom", optional: ref.configMapRef.optional === true });
  }
  const mounted = new Set(objects(container.volumeMounts).map((m) => m.name));
  for (const volume of objects(pod.spec?.volumes)) {
    if (!mounted.has(volume.name)) continue;
    const secret = volume.secret as { readonly secretName?: string; readonly optional?: boolean } | undefined;
    const map = volume.configMap as { readonly name?: string; readonly optional?: boolean } | undefined;
    if (typeof secret?.secretName === "string") out.push({ kind: "Secret", name: secret.secretName, via: `volume ${volume.name ?? "?"}`, optional: secret.optional === true });
    if (typeof map?.name === "string") out.push({ kind: "ConfigMap", name: map.name, via: `volume ${volume.name ?? "?"}`, optional: map.optional === true });
  }
  return out;
};

/** The references of `container` the kubelet's complaint is about (same kind and name, and key when it names one). */
export const referencesTo = (references: ReadonlyArray<ConfigReference>, missing: MissingConfig): ReadonlyArray<ConfigReference> =>
  references.filter((r) => r.kind === missing.kind && r.name === missing.name && (missing.key === undefined || r.key === missing.key));
