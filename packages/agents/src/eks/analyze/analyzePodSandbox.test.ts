import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Event, Node, Pod } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";
import { sandboxCause } from "./analyzePodSandbox.js";

const T = Date.parse("2019-12-20T10:30:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const NODE = "ip-10-0-33-71.eu-west-1.compute.internal";

describe("pod sandboxes the CNI cannot set up", () => {
  it("tells IP exhaustion from a CNI that is not running", () => {
    // aws/amazon-vpc-cni-k8s#547 (issue title) and #668 (maintainer: "you don't have any IP addresses available on the instance")
    expect(sandboxCause("Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container network for pod : NetworkPlugin cni failed to set up pod network: add cmd: failed to assign an IP address", NODE).key).toBe("ip-vpc-cni");
    expect(
      sandboxCause(
        '(combined from similar events): Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container "9234" network for pod "custom-test-endpoint-5659dd6f47-92rj7": NetworkPlugin cni failed to set up pod "custom-test-endpoint-523422f47-92rj7_default" network: add cmd: failed to assign an IP address to container',
        NODE
      ).key
    ).toBe("ip-vpc-cni");
    // kubernetes/test-infra#13039 and k8snetworkplumbingwg/multus-cni#373: host-local IPAM's range is used up.
    const range = sandboxCause('Failed create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "42bf93c9": failed to allocate for range 0: no IP addresses available in range set: 10.60.28.1-10.60.28.254', "gke-prow-1");
    expect(range.text).toBe("the CNI has no free IP address in gke-prow-1's pod range 10.60.28.1-10.60.28.254 (IP exhaustion)");
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (m) => void sandboxCause(m, "n")));
  });

  it("names the CNI agent that is not running on the node, and a bridge left from an earlier pod range", () => {
    // kubernetes/kubernetes#65526 (dockershim wording) and flannel-io/flannel#2253 (containerd wording)
    expect(sandboxCause('Failed create pod sandbox: rpc error: code = Unknown desc = NetworkPlugin cni failed to set up pod "podtest_default" network: open /run/flannel/subnet.env: no such file or directory', "slave").text).toBe(
      "flannel has not set up slave: /run/flannel/subnet.env is missing (its kube-flannel pod is not running there, or the cluster gave flannel no pod CIDR)"
    );
    expect(
      sandboxCause(
        'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "3c05350cf5717b9bcf92a63ffafb7a3d27bd5ad1880de39272e72aa1661e637e": plugin type="flannel" failed (add): loadFlannelSubnetEnv failed: open /run/flannel/subnet.env: no such file or directory',
        "master"
      ).key
    ).toBe("flannel-not-running");
    // kubernetes/kubernetes#62451 and projectcalico/calico#2841
    expect(
      sandboxCause(
        'Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container "218b83cb2072de4d2d264cae46237ec72e97ac64d82df71d22bd96bc2c3eb9b1" network for pod "nginx-57867cc648-mnx49": NetworkPlugin cni failed to set up pod "nginx-57867cc648-mnx49_default" network: stat /var/lib/calico/nodename: no such file or directory: check that the calico/node container is running and has mounted /var/lib/calico/',
        "ip-10-120-147-201.eu-west-1.compute.internal"
      ).text
    ).toBe("calico-node is not running on ip-10-120-147-201.eu-west-1.compute.internal (stat /var/lib/calico/nodename: no such file or directory)");
    // kubernetes/kubernetes#76070
    expect(
      sandboxCause(
        'Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container "3603dc72589a415f2946505141e8712d31242c5b0cfe5f25299c8e611897f583" network for pod "nginx-deployment-shiva2-779f798fbd-h4vlk": NetworkPlugin cni failed to set up pod "nginx-deployment-shiva2-779f798fbd-h4vlk_default" network: failed to set bridge addr: "cni0" already has an IP address different from 10.244.1.1/24',
        "node-2"
      ).text
    ).toBe("the cni0 bridge on node-2 still has an address outside the node's pod range 10.244.1.1/24 (left from an earlier network setup)");
  });

  it("a persistent failure to assign an IP is IP exhaustion, named with the node (aws/amazon-vpc-cni-k8s#547)", () => {
    const pod: Pod = {
      metadata: { name: "worker-7b9d6c5f4-hx2lq", namespace: "default", ownerReferences: [{ kind: "ReplicaSet", name: "worker-7b9d6c5f4", controller: true }], labels: { "pod-template-hash": "7b9d6c5f4" } },
      spec: { nodeName: NODE, containers: [{ name: "worker", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:1.0.0" }] },
      status: { phase: "Pending", containerStatuses: [{ name: "worker", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
    };
    const event: Event = {
      metadata: { name: "worker.sandbox", namespace: "default" },
      involvedObject: { kind: "Pod", name: pod.metadata.name, namespace: "default" },
      reason: "FailedCreatePodSandBox",
      type: "Warning",
      message: "Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container network for pod : NetworkPlugin cni failed to set up pod network: add cmd: failed to assign an IP address",
      count: 38,
      firstTimestamp: iso(T - 25 * 60_000),
      lastTimestamp: iso(T - 60_000)
    };
    const node: Node = { metadata: { name: NODE, labels: { "beta.kubernetes.io/instance-type": "t3.2xlarge" } }, status: { allocatable: { pods: "58" }, conditions: [{ type: "Ready", status: "True" }] } };
    const h = topOf(investigateObjects({ nodes: [node], objects: { pods: [pod], events: [event] } }, { alertname: "KubePodNotReady", namespace: "default", pod: pod.metadata.name }, T));
    expect(h.title).toBe(`default/worker's pods cannot start: the CNI failed to assign an IP address on ${NODE}: no free IP for pods there (IP exhaustion: the node's ENIs are full or its subnet has no free IPs)`);
    expect(h.confidence).toBe("high");
    expect(h.detail).toContain("allocatable pods 58, instance type t3.2xlarge");
  });
});
