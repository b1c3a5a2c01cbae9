/**
 * Shapes of Kubernetes and cloud resource names. Pod-template hashes and pod suffixes are
 * drawn from the alphabet Kubernetes uses for generated names (no vowels, no 0/1/3), which
 * is what tells `api-7d9f8b6c5-x2x9z` from an ordinary hyphenated word.
 */
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
const DEPLOYMENT_POD = new RegExp(`^([a-z0-9](?:[a-z0-9-]{0,200}[a-z0-9])?)-(${SAFE}{5,10})-(${SAFE}{5})$`);
const REPLICA_SET = new RegExp(`^([a-z0-9](?:[a-z0-9-]{0,200}[a-z0-9])?)-(${SAFE}{5,10})$`);
const STATEFUL_POD = /^([a-z0-9](?:[a-z0-9-]{0,200}[a-z0-9])?)-(\d{1,4})$/;
const DNS_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;
const NODE_NAMES: ReadonlyArray<RegExp> = [
  // EKS / EC2: ip-10-2-14-77, ip-10-2-14-77.ec2.internal, ip-10-0-33-12.eu-west-1.compute.internal
  /^ip-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?:\.[a-z0-9-]+){0,4}$/,
  // GKE: gke-prod-default-pool-1a2b3c4d-xyz1
  /^gke-[a-z0-9-]{1,80}-[a-z0-9]{8}-[a-z0-9]{4}$/,
  // AKS: aks-nodepool1-12345678-vmss000000
  /^aks-[a-z0-9]{1,40}-\d{8}-vmss[0-9a-z]{6}$/
];

const hasLetter = (s: string): boolean => /[a-z]/.test(s);
const hasDigit = (s: string): boolean => /\d/.test(s);

/** A DNS-1123 name, the form of namespaces, pods, containers, workloads and services. */
export const isK8sName = (s: string): boolean => s.length > 0 && s.length <= 253 && DNS_NAME.test(s);

/**
 * `api-7d9f8b6c5-x2x9z`: a pod a Deployment's ReplicaSet created. An all-digit hash is
 * rejected (that is a CronJob's scheduled Job, `backup-28374650-x2x9z`), and so is a name
 * without any digit in its generated parts (too easily an ordinary word).
 */
export const isDeploymentPodName = (s: string): boolean => {
  const m = DEPLOYMENT_POD.exec(s);
  if (m === null) return false;
  const hash = m[2] ?? "";
  return hasLetter(hash) && hasDigit(hash + (m[3] ?? ""));
};

/** The workload a pod name most likely belongs to; a guess, only used when nothing names the workload. */
export const workloadFromPodName = (
  pod: string
): { readonly kind: "deployment" | "statefulset"; readonly name: string } | undefined => {
  if (isDeploymentPodName(pod)) {
    const name = DEPLOYMENT_POD.exec(pod)?.[1];
    return name === undefined ? undefined : { kind: "deployment", name };
  }
  const stateful = STATEFUL_POD.exec(pod);
  if (stateful?.[1] !== undefined) return { kind: "statefulset", name: stateful[1] };
  return undefined;
};

/** `api-7d9f8b6c5` → `api`: the Deployment that owns a ReplicaSet. */
export const deploymentFromReplicaSet = (rs: string): string | undefined => {
  const m = REPLICA_SET.exec(rs);
  return m !== null && hasLetter(m[2] ?? "") && hasDigit(m[2] ?? "") ? m[1] : undefined;
};

/** EKS, GKE and AKS node names, which are recognisable without a `node=` key. */
export const isNodeName = (s: string): boolean => s.length <= 253 && NODE_NAMES.some((re) => re.test(s));
