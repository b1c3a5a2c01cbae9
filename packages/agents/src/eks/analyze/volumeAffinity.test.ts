import { describe, expect, it } from "vitest";
import type { Node, PersistentVolume } from "../kube/KubeObjects.js";
import { readVolumeAffinity } from "./volumeAffinity.js";

const node = (name: string, labels: Record<string, string>): Node => ({ metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } } });
const pv = (expressions: ReadonlyArray<{ key: string; operator: string; values?: ReadonlyArray<string> }>): PersistentVolume => ({
  metadata: { name: "jenkins-pv-volume" },
  spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: expressions }] } } }
});

describe("readVolumeAffinity: the nodes a PersistentVolume may be used on", () => {
  it("a local volume made for a node this cluster does not have fits none (devopsjourney1/jenkins-101#6)", () => {
    const r = readVolumeAffinity(pv([{ key: "kubernetes.io/hostname", operator: "In", values: ["worker-node01"] }]), [node("minikube", {})]);
    expect(r).toEqual({ rule: "kubernetes.io/hostname in [worker-node01]", fits: [] });
  });

  it("reads In, NotIn, Exists and DoesNotExist, and terms joined by or", () => {
    const nodes = [node("a", { "topology.kubernetes.io/zone": "eu-west-1a" }), node("b", { "topology.kubernetes.io/zone": "eu-west-1b", gpu: "true" })];
    expect(readVolumeAffinity(pv([{ key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1b"] }]), nodes)?.fits.map((n) => n.metadata.name)).toEqual(["b"]);
    expect(readVolumeAffinity(pv([{ key: "topology.kubernetes.io/zone", operator: "NotIn", values: ["eu-west-1b"] }]), nodes)?.fits.map((n) => n.metadata.name)).toEqual(["a"]);
    expect(readVolumeAffinity(pv([{ key: "gpu", operator: "Exists" }]), nodes)?.fits.map((n) => n.metadata.name)).toEqual(["b"]);
    expect(readVolumeAffinity(pv([{ key: "gpu", operator: "DoesNotExist" }]), nodes)?.fits.map((n) => n.metadata.name)).toEqual(["a"]);
    const either: PersistentVolume = {
      metadata: { name: "v" },
      spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["a"] }] }, { matchExpressions: [{ key: "gpu", operator: "Exists" }] }] } } }
    };
    expect(readVolumeAffinity(either, nodes)).toMatchObject({ rule: "kubernetes.io/hostname in [a] or gpu Exists" });
    expect(readVolumeAffinity(either, nodes)?.fits).toHaveLength(2);
  });

  it("a volume without affinity says nothing; an unknown operator matches no node", () => {
    expect(readVolumeAffinity({ metadata: { name: "v" }, spec: {} }, [node("a", {})])).toBeUndefined();
    expect(readVolumeAffinity(pv([{ key: "x", operator: "Gt", values: ["1"] }]), [node("a", { x: "5" })])?.fits).toEqual([]);
  });
});
