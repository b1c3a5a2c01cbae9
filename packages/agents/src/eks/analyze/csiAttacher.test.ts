import { describe, expect, it } from "vitest";
import type { Event, Pod } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";

/*
 * linode/linode-blockstorage-csi-driver#88: on Kubernetes 1.24 every attach "timed out waiting for external-attacher"; the
 * attacher's log said it may not patch volumeattachments/status (the driver's ClusterRole predated that need). Lines verbatim.
 */
const FORBIDDEN =
  'I0105 09:48:52.619306       1 csi_handler.go:231] Error processing "csi-dfc693b50c36a3ebd09073104bc95488554361e27292978d38ba1d198016e4c3": failed to mark as attached: volumeattachments.storage.k8s.io "csi-dfc693b50c36a3ebd09073104bc95488554361e27292978d38ba1d198016e4c3" is forbidden: User "system:serviceaccount:kube-system:csi-controller-sa" cannot patch resource "volumeattachments/status" in API group "storage.k8s.io" at the cluster scope';
const app: Pod = {
  metadata: { name: "app-7d9f8b6c5-x2x9z", namespace: "default", labels: { app: "app" } },
  spec: { nodeName: "lke-node-1", containers: [{ name: "app", image: "nginx:1.23" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] },
  status: { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
};
const controller: Pod = {
  metadata: { name: "csi-linode-controller-0", namespace: "kube-system" },
  spec: { nodeName: "lke-node-2", containers: [{ name: "csi-provisioner", image: "linode/csi-provisioner:v3.0.0" }, { name: "csi-attacher", image: "linode/csi-attacher:v3.3.0" }, { name: "linode-csi-plugin", image: "linode/linode-blockstorage-csi-driver:v0.4.0" }] },
  status: { phase: "Running" }
};
const failed: Event = {
  metadata: { name: "app.attach", namespace: "default" },
  involvedObject: { kind: "Pod", name: app.metadata.name, namespace: "default" },
  reason: "FailedAttachVolume",
  message: 'AttachVolume.Attach failed for volume "pvc-35f1d10136bb4a2f" : timed out waiting for external-attacher of linodebs.csi.linode.com CSI driver to attach volume 757935-pvc35f1d10136bb4a2f',
  type: "Warning",
  count: 3,
  firstTimestamp: "2023-01-05T09:40:00Z",
  lastTimestamp: "2023-01-05T09:49:00Z"
};
const run = (attacherLog?: string) =>
  hypothesesFor({ pods: [app, controller], events: [failed] }, { alertname: "KubePodNotReady", namespace: "default", pod: app.metadata.name }, "2023-01-05T09:50:00Z", attacherLog === undefined ? [] : [{ namespace: "kube-system", pod: controller.metadata.name, container: "csi-attacher", current: attacherLog }]);

describe("an attach the kubelet waited on in vain: the external-attacher's own log", () => {
  it("names the permission the attacher lacks, and whose ClusterRole, at high", () => {
    const h = run(`I0105 09:48:52.389403       1 csi_handler.go:248] Attaching "csi-dfc6"\n${FORBIDDEN}`)[0];
    expect(h?.title).toContain("external-attacher (kube-system/csi-linode-controller-0) is forbidden to patch volumeattachments/status in storage.k8s.io — the ClusterRole of system:serviceaccount:kube-system:csi-controller-sa lacks that permission");
    expect(h?.confidence).toBe("high");
  });

  it("another error of the attacher is named at medium; a clean attacher log says nothing of it", () => {
    const other = run('E0105 09:48:52.000000       1 csi_handler.go:231] Error processing "csi-1": failed to attach: rpc error: code = Internal desc = volume 757935 is in use')[0];
    expect(other?.title).toContain("external-attacher (kube-system/csi-linode-controller-0) fails");
    expect(other?.confidence).toBe("medium");
    expect(run('I0105 09:48:52.389403       1 csi_handler.go:261] Attached "csi-1"')[0]?.title ?? "").not.toContain("external-attacher (");
  });
});
