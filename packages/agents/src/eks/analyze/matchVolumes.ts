import type { PersistentVolume, PersistentVolumeClaim } from "../kube/KubeObjects.js";
import { parseQuantity } from "../kube/quantity.js";
import { labelSelectorPredicate, labelSelectorString } from "../kube/selectors.js";

/** The class a PersistentVolume belongs to: `spec.storageClassName`, or the beta annotation; "" for none. */
export const volumeClassOf = (pv: PersistentVolume): string => {
  const spec = pv.spec?.storageClassName;
  if (typeof spec === "string") return spec;
  const annotation = pv.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"];
  return typeof annotation === "string" ? annotation : "";
};

/** The class a claim binds in: its own (field or annotation); "" when it sets none (no default class applied to it). */
export const claimClassOf = (claim: PersistentVolumeClaim): string => {
  const spec = claim.spec?.storageClassName;
  if (typeof spec === "string") return spec;
  const annotation = claim.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"];
  return typeof annotation === "string" ? annotation : "";
};

export const requestOf = (claim: PersistentVolumeClaim): string | undefined => claim.spec?.resources?.requests?.["storage"];

const claimLabel = (ref: { readonly namespace?: string; readonly name?: string }) => `${ref.namespace ?? ""}/${ref.name ?? ""}`;

/** Why one PersistentVolume cannot take the claim, in the PersistentVolume controller's terms; undefined when it can. */
export const mismatchOf = (claim: PersistentVolumeClaim, pv: PersistentVolume, ignoreBinding = false): string | undefined => {
  const name = pv.metadata.name;
  const ref = pv.spec?.claimRef;
  const mine = ref !== undefined && ref.name === claim.metadata.name && (ref.namespace ?? claim.metadata.namespace) === claim.metadata.namespace;
  if (ref?.name !== undefined && !mine && !ignoreBinding) return `${name} is ${pv.status?.phase === "Bound" ? "bound" : "reserved"} to claim ${claimLabel(ref)}`;
  const phase = pv.status?.phase ?? "Available";
  if (phase !== "Available" && !mine && !ignoreBinding) return `${name} is ${phase}${phase === "Released" ? " (its old claim was deleted; a Retain volume is not reused until its claimRef is cleared)" : ""}`;
  const want = claimClassOf(claim);
  const has = volumeClassOf(pv);
  if (want !== has) return `${name} has storageClassName ${has === "" ? '""' : has}, the claim ${want === "" ? "sets none" : `asks for ${want}`}`;
  const modes = pv.spec?.accessModes ?? [];
  const missing = (claim.spec?.accessModes ?? []).filter((m) => !modes.includes(m));
  if (missing.length > 0) return `${name} offers ${modes.join(", ") || "no access mode"}, the claim asks for ${missing.join(", ")}`;
  if ((pv.spec?.volumeMode ?? "Filesystem") !== (claim.spec?.volumeMode ?? "Filesystem")) return `${name} has volumeMode ${pv.spec?.volumeMode ?? "Filesystem"}, the claim ${claim.spec?.volumeMode ?? "Filesystem"}`;
  const size = parseQuantity(pv.spec?.capacity?.["storage"]);
  const asked = parseQuantity(requestOf(claim));
  if (size !== undefined && asked !== undefined && size < asked) return `${name} holds ${pv.spec?.capacity?.["storage"] ?? "?"}, less than the ${requestOf(claim) ?? "?"} asked`;
  const selector = claim.spec?.selector;
  if (selector !== undefined && !labelSelectorPredicate(labelSelectorString(selector))(pv.metadata.labels ?? {})) return `${name}'s labels do not match the claim's selector ${labelSelectorString(selector)}`;
  return undefined;
};

export interface VolumeMatch {
  /** Volumes the claim could bind to now. */
  readonly fits: ReadonlyArray<PersistentVolume>;
  /** Why each volume of the claim's class (all volumes, when none is of its class) cannot take it. */
  readonly reasons: ReadonlyArray<{ readonly volume: PersistentVolume; readonly why: string }>;
  /**
   * A volume that would fit the claim, taken by another claim that asked for less: the binder
   * gives a claim the smallest Available volume that fits, so a small claim bound first takes a
   * large volume when nothing smaller is Available (IBM/core-dump-handler#78).
   */
  readonly takenBySmaller?: { readonly volume: PersistentVolume; readonly claim: string; readonly asked: string };
}

/**
 * What the PersistentVolume controller would find for an unbound claim among the volumes read:
 * the same class (none is a class of its own), the access modes, the volume mode, the size, the
 * selector, and no claim of another (claimRef). Claims are looked up to tell which claim holds a
 * volume and what it asked for.
 */
export const matchVolumes = (claim: PersistentVolumeClaim, volumes: ReadonlyArray<PersistentVolume>, claims: ReadonlyArray<PersistentVolumeClaim>): VolumeMatch => {
  const named = claim.spec?.volumeName;
  const pool = named !== undefined && named !== "" ? volumes.filter((v) => v.metadata.name === named) : volumes;
  const fits = pool.filter((v) => mismatchOf(claim, v) === undefined);
  const sameClass = pool.filter((v) => volumeClassOf(v) === claimClassOf(claim));
  const reasons = (sameClass.length > 0 ? sameClass : pool).map((volume) => ({ volume, why: mismatchOf(claim, volume) ?? "" })).filter((r) => r.why !== "");
  const asked = parseQuantity(requestOf(claim));
  let takenBySmaller: VolumeMatch["takenBySmaller"];
  for (const volume of sameClass) {
    const ref = volume.spec?.claimRef;
    if (ref?.name === undefined || (ref.name === claim.metadata.name && (ref.namespace ?? "") === (claim.metadata.namespace ?? ""))) continue;
    const holder = claims.find((c) => c.metadata.name === ref.name && (c.metadata.namespace ?? "") === (ref.namespace ?? ""));
    const holderAsked = holder === undefined ? undefined : requestOf(holder);
    const holderBytes = parseQuantity(holderAsked);
    const size = parseQuantity(volume.spec?.capacity?.["storage"]);
    // It would have fitted this claim, and the claim holding it asked for less than it holds.
    if (holderAsked === undefined || holderBytes === undefined || size === undefined || asked === undefined || holderBytes >= size || mismatchOf(claim, volume, true) !== undefined) continue;
    takenBySmaller = { volume, claim: claimLabel(ref), asked: holderAsked };
    break;
  }
  return { fits, reasons, ...(takenBySmaller !== undefined ? { takenBySmaller } : {}) };
};
