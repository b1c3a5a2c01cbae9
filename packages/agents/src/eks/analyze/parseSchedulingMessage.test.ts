import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bindingObstacle, INTENT_OBSTACLES, parseSchedulingMessage, type SchedulingObstacle } from "./parseSchedulingMessage.js";

const main = (message: string) => {
  const r = bindingObstacle(parseSchedulingMessage(message));
  return r === undefined ? undefined : { obstacle: r.obstacle, nodes: r.nodes, detail: r.detail };
};

describe("parseSchedulingMessage", () => {
  it("reads the counted reasons, old and new wordings, and the taint", () => {
    // danisla/kubefunc#10 (describe pod, 2020)
    expect(parseSchedulingMessage("0/23 nodes are available: 1 node(s) had taints that the pod didn't tolerate, 22 node(s) didn't match node selector.").reasons.map((r) => [r.nodes, r.obstacle])).toEqual([
      [1, "taint"],
      [22, "node-selector"]
    ]);
    // kubernetes/test-infra#26060: Prow wraps the message and types a curly apostrophe.
    const prow = parseSchedulingMessage(
      "There are no nodes that your pod can schedule to - check your requests, tolerations, and node selectors (0/57 nodes are available: 18 Insufficient memory, 3 node(s) had taint {dedicated: greenhouse}, that the pod didn’t tolerate, 54 Insufficient cpu.)"
    );
    expect(prow.totalNodes).toBe(57);
    expect(prow.reasons.map((r) => [r.nodes, r.obstacle, r.detail])).toEqual([
      [18, "insufficient-resources", "memory"],
      [3, "taint", "dedicated=greenhouse"],
      [54, "insufficient-resources", "cpu"]
    ]);
    // StatCan/jupyter-apis#57: `Insufficient pods` is the pod capacity.
    expect(parseSchedulingMessage("0/41 nodes are available: 2 Insufficient pods, 35 Insufficient cpu, 4 Insufficient memory.").reasons[0]?.detail).toBe("pods");
    // awslabs/ai-on-sagemaker-hyperpod#142: newer schedulers name the plugin.
    expect(parseSchedulingMessage("0/3 nodes are available: 1 Too many pods, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].").reasons.map((r) => r.obstacle)).toEqual(["insufficient-resources", "node-selector"]);
    // kubernetes/kubernetes#55623 (1.8): predicates instead of reasons.
    expect(parseSchedulingMessage("No nodes are available that match all of the predicates: MatchNodeSelector (2), PodToleratesNodeTaints (1).").reasons.map((r) => [r.nodes, r.obstacle])).toEqual([
      [2, "node-selector"],
      [1, "taint"]
    ]);
    // hashicorp/waypoint#4401: the volume binder gave up.
    expect(parseSchedulingMessage('running PreBind plugin "VolumeBinding": binding volumes: timed out waiting for the condition').reasons[0]?.obstacle).toBe("volume-binding");
  });

  it("reads a pasted message with parts left out (knowledgesystems/knowledgesystems-k8s-deployment#453)", () => {
    const r = parseSchedulingMessage("0/30 nodes are available: 1 Insufficient memory, ... 3 node(s) didn't match Pod's node affinity/selector ...");
    expect(r.reasons.map((x) => [x.nodes, x.obstacle, x.detail])).toEqual([
      [1, "insufficient-resources", "memory"],
      [3, "node-selector", undefined]
    ]);
    expect(main("0/30 nodes are available: 1 Insufficient memory, ... 3 node(s) didn't match Pod's node affinity/selector ...")).toEqual({ obstacle: "insufficient-resources", nodes: 1, detail: "memory" });
  });

  it("names the obstacle that blocks, not the largest count", () => {
    // danisla/kubefunc#10: pinned by a nodeSelector to the one node whose taint it does not tolerate.
    expect(main("0/23 nodes are available: 1 node(s) had taints that the pod didn't tolerate, 22 node(s) didn't match node selector.")?.obstacle).toBe("taint");
    // SSU-DCN/podmigration-operator#9: the same shape with the taint named.
    expect(main("0/2 nodes are available: 1 node(s) didn't match node selector, 1 node(s) had taint {key1: value1}, that the pod didn't tolerate.")).toEqual({ obstacle: "taint", nodes: 1, detail: "key1=value1" });
    // cilium/cilium#42816: pod affinity leaves one node, and it is full.
    expect(main("0/3 nodes are available: 1 Too many pods, 2 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")).toEqual({
      obstacle: "insufficient-resources",
      nodes: 1,
      detail: "pods"
    });
    // hashicorp/consul-helm#243: after a node restart, the volume's zone outranks affinity and taints.
    expect(main("0/3 nodes are available: 1 node(s) didn't match pod affinity/anti-affinity, 1 node(s) didn't satisfy existing pods anti-affinity rules, 1 node(s) had taints that the pod didn't tolerate, 1 node(s) had volume node affinity conflict.")?.obstacle).toBe("volume-zone");
    // kubeflow/kubeflow#7109: a volume pinned to a zone outranks capacity on other nodes.
    expect(main("0/3 nodes are available: 1 Insufficient memory, 1 Too many pods, 1 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")?.obstacle).toBe("volume-zone");
    // aws/karpenter-provider-aws#2971: the same, with node affinity and cpu besides.
    expect(main("0/6 nodes are available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't match Pod's node affinity/selector, 3 Insufficient cpu.")?.obstacle).toBe("volume-zone");
    // kubernetes/test-infra#26060: a dedicated taint reserves nodes; cpu is what the pod lacks everywhere else.
    expect(main("0/57 nodes are available: 18 Insufficient memory, 3 node(s) had taint {dedicated: greenhouse}, that the pod didn’t tolerate, 54 Insufficient cpu.")).toEqual({ obstacle: "insufficient-resources", nodes: 54, detail: "cpu" });
    // SUSE/skuba#966 (1 master, 1 worker): anti-affinity leaves too few nodes; the master's taint only reserves it.
    expect(main("0/2 nodes are available: 1 node(s) didn't match pod affinity/anti-affinity, 1 node(s) didn't match pod anti-affinity rules, 1 node(s) had taints that the pod didn't tolerate.")?.obstacle).toBe("pod-affinity");
    // kubernetes/k8s.io#9761: current schedulers no longer name the taint; beside the selector it is still the obstacle.
    expect(main("0/6 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 4 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.")).toEqual({ obstacle: "taint", nodes: 4, detail: undefined });
    // liwenhe1993/charts#1 and aquasecurity/kube-bench#488: the selector alone rules out every node.
    expect(main("0/6 nodes are available: 6 node(s) didn't match node selector.")?.obstacle).toBe("node-selector");
    expect(main("0/3 nodes are available: 3 node(s) didn't match node selector.")?.obstacle).toBe("node-selector");
  });

  it("accepts any text, and never names the pod's own placement rules while another reason is listed", () => {
    const obstacles: ReadonlyArray<string> = [
      "Insufficient cpu",
      "Too many pods",
      "node(s) had untolerated taint {dedicated: gpu}",
      "node(s) had untolerated taint(s)",
      "node(s) had taints that the pod didn't tolerate",
      "node(s) didn't match Pod's node affinity/selector",
      "node(s) didn't match pod anti-affinity rules",
      "node(s) were unschedulable",
      "node(s) had volume node affinity conflict",
      "node(s) didn't have free ports for the requested pod ports"
    ];
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        parseSchedulingMessage(text);
        bindingObstacle(parseSchedulingMessage(text));
      })
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.constantFrom(...obstacles)), { minLength: 1, maxLength: 5 }), (parts) => {
        const total = parts.reduce((n, [c]) => n + c, 0);
        const parsed = parseSchedulingMessage(`0/${total} nodes are available: ${parts.map(([c, t]) => `${c} ${t}`).join(", ")}.`);
        expect(parsed.reasons).toHaveLength(parts.length);
        const chosen = bindingObstacle(parsed);
        expect(chosen).toBeDefined();
        const kinds = new Set<SchedulingObstacle>(parsed.reasons.map((r) => r.obstacle));
        // Beside the pod's node selector, any other reason is the cause; beside pod affinity, any but a reserving taint.
        if (kinds.has("node-selector") && [...kinds].some((k) => !INTENT_OBSTACLES.has(k))) expect(INTENT_OBSTACLES.has(chosen!.obstacle)).toBe(false);
        if ([...kinds].some((k) => !INTENT_OBSTACLES.has(k) && k !== "taint")) expect(INTENT_OBSTACLES.has(chosen!.obstacle)).toBe(false);
      })
    );
  });
});
