import type { PersistentVolumeClaim } from "../kube/KubeObjects.js";
import { storageClassOf } from "./analyzeClaim.js";
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
 * StorageClasses are not read, so the reading stays at medium: it says what is known (the class
 * the claim asks for, or that it names none) and what to check.
 */
export interface UnboundClaimsReading {
  readonly text: string;
  readonly facts: ReadonlyArray<string>;
}

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
 * read in its namespace. Undefined when none of its claims was read unbound.
 */
export const readUnboundClaims = (names: ReadonlyArray<string>, claims: ReadonlyArray<PersistentVolumeClaim>): UnboundClaimsReading | undefined => {
  const unbound = names.map((n) => claims.find((c) => c.metadata.name === n)).filter((c): c is PersistentVolumeClaim => c !== undefined && c.status?.phase !== "Bound");
  if (unbound.length === 0) return undefined;
  const facts = unbound.map(classFact);
  const noun = unbound.length === 1 ? "PersistentVolumeClaim" : "PersistentVolumeClaims";
  const verb = unbound.length === 1 ? "is" : "are";
  return {
    text: `its ${noun} ${listNames(unbound.map((c) => c.metadata.name))} ${verb} not bound and no event says why: ${listNames(facts, 2)} (StorageClasses were not read: check kubectl get storageclass)`,
    facts
  };
};
