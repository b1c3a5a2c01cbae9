import type { PersistentVolumeClaim, StorageClass } from "../kube/KubeObjects.js";
import { isDefaultClass, storageClassOf } from "./analyzeClaim.js";
import { listNames } from "./podFacts.js";

/**
 * What "pod has unbound immediate PersistentVolumeClaims" leaves open, and the next fact that the
 * claim itself gives: the storage class it asks for. The scheduler's words are a symptom (the claim
 * is not bound); why it is not bound is the cause, and with no event of the PersistentVolume
 * controller the claim's class is the deepest fact the data read holds:
 * - a class named in the claim that this cluster may not have: 1Password/op-scim-helm#15 (the chart
 *   hard-coded `do-block-storage`, DigitalOcean's class, on other clouds the claim stayed Pending),
 *   kubernetes/kubernetes#81714 (class `standard` that did not exist);
 * - no class at all, so only a default StorageClass can serve it: prometheus-community/helm-charts#4946
 *   (no default class; setting storageClass in the values fixed it), cetic/helm-fadi#15 (pods Pending on
 *   "pod has unbound PersistentVolumeClaims"; fixed by defining a default class or setting it in the
 *   values), hashicorp/consul-helm#48 (no StorageClass at all; the chart relies on the default class).
 * When the StorageClasses were read (live, or `storageclasses.json` in a dump), the class is checked
 * against them: a class that does not exist, or no class and no default class, is the cause and is
 * said with high confidence (with the classes the cluster has, so the fix is in the finding). Without
 * them the reading stays at medium: it says what is known (the class the claim asks for, or that it
 * names none) and what to check.
 */
export interface UnboundClaimsReading {
  readonly text: string;
  readonly facts: ReadonlyArray<string>;
  /** High only when the StorageClasses read show the cause (a missing class, no default class). */
  readonly confidence: "high" | "medium";
}

const classList = (classes: ReadonlyArray<StorageClass>): string =>
  classes.length === 0 ? "it has none" : `it has ${listNames(classes.map((c) => `${c.metadata.name}${isDefaultClass(c) ? " (default)" : ""}`), 4)}`;

/** What the StorageClasses read say about one unbound claim: a cause (`decisive`), or a fact to check. */
const checkedClassFact = (claim: PersistentVolumeClaim, classes: ReadonlyArray<StorageClass>): { readonly text: string; readonly decisive: boolean } => {
  const name = claim.metadata.name;
  const storageClass = storageClassOf(claim);
  if (storageClass === "") return { text: classFact(claim), decisive: false };
  if (storageClass === undefined) {
    const defaults = classes.filter(isDefaultClass);
    if (defaults.length === 0)
      return { text: `${name} names no storage class and this cluster has no default StorageClass (${classList(classes)}), so nothing provisions a volume for it`, decisive: true };
    return {
      text: `${name} names no storage class; the cluster's default is now ${listNames(defaults.map((c) => c.metadata.name))}, but a claim created before a default existed keeps no class on clusters older than 1.28 (no PersistentVolume of no class matches it)`,
      decisive: false
    };
  }
  const found = classes.find((c) => c.metadata.name === storageClass);
  if (found === undefined) return { text: `${name} asks for storage class ${storageClass}, which does not exist in this cluster (${classList(classes)})`, decisive: true };
  return {
    text: `${name} asks for storage class ${storageClass}, which exists (provisioner ${found.provisioner ?? "not set"}${found.volumeBindingMode !== undefined ? `, ${found.volumeBindingMode}` : ""}): the provisioner has not created a volume, and its own logs say why`,
    decisive: false
  };
};

const classFact = (claim: PersistentVolumeClaim): string => {
  const name = claim.metadata.name;
  const storageClass = storageClassOf(claim);
  if (storageClass === undefined)
    return `${name} names no storage class (storageClassName not set), so only the cluster's default StorageClass or a matching PersistentVolume can serve it: without a default class it stays Pending`;
  if (storageClass === "") return `${name} sets storageClassName "" (no dynamic provisioning), so only a pre-created PersistentVolume of no class can bind it`;
  return `${name} asks for storage class ${storageClass}: if no StorageClass ${storageClass} exists in this cluster (a class of another provider hard-coded in a chart), nothing provisions it`;
};

/**
 * The reading of unbound claims for a pod: `names` are the claims its volumes use, `claims` those
 * read in its namespace, `classes` the cluster's StorageClasses when they were read. Undefined when
 * none of its claims was read unbound.
 */
export const readUnboundClaims = (
  names: ReadonlyArray<string>,
  claims: ReadonlyArray<PersistentVolumeClaim>,
  classes?: ReadonlyArray<StorageClass>
): UnboundClaimsReading | undefined => {
  const unbound = names.map((n) => claims.find((c) => c.metadata.name === n)).filter((c): c is PersistentVolumeClaim => c !== undefined && c.status?.phase !== "Bound");
  if (unbound.length === 0) return undefined;
  const noun = unbound.length === 1 ? "PersistentVolumeClaim" : "PersistentVolumeClaims";
  const verb = unbound.length === 1 ? "is" : "are";
  const claimNames = listNames(unbound.map((c) => c.metadata.name));
  if (classes === undefined) {
    const facts = unbound.map(classFact);
    return {
      text: `its ${noun} ${claimNames} ${verb} not bound and no event says why: ${listNames(facts, 2)} (StorageClasses were not read: check kubectl get storageclass)`,
      facts,
      confidence: "medium"
    };
  }
  const checked = unbound.map((c) => checkedClassFact(c, classes));
  // The decisive facts first: a missing class is the cause whatever else is open.
  const ordered = [...checked.filter((c) => c.decisive), ...checked.filter((c) => !c.decisive)].map((c) => c.text);
  const decisive = checked.some((c) => c.decisive);
  return {
    text: decisive ? `its ${noun} ${claimNames} ${verb} not bound: ${listNames(ordered, 2)}` : `its ${noun} ${claimNames} ${verb} not bound and no event says why: ${listNames(ordered, 2)}`,
    facts: ordered,
    confidence: decisive ? "high" : "medium"
  };
};
