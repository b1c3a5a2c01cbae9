import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import type { Event, Pod } from "../kube/KubeObjects.js";
import { makeDumpClusterSource } from "../source/DumpClusterSource.js";
import { makeAlert } from "../testing/makeAlert.js";

/*
 * prometheus-msteams/prometheus-msteams#25: the chart created ConfigMap prometheus-msteams-config
 * in default while the Deployment ran in monitoring. The FailedMount message and the
 * `kubectl get configmaps -n default` row are verbatim; names of the pod and node are neutral.
 */
const REAL = fileURLToPath(new URL("../../../../../examples/real-incidents/mount-configmap-created-in-default-namespace-gh-prometheus-msteams-25/cluster-dump", import.meta.url));
const T = Date.parse("2018-10-15T09:00:00Z");

const pod: Pod = {
  metadata: { name: "prometheus-msteams-59dfbc84b6-ts9dq", namespace: "monitoring", labels: { app: "prometheus-msteams" } },
  spec: { nodeName: "node-1", volumes: [{ name: "config-volume", configMap: { name: "prometheus-msteams-config" } }], containers: [{ name: "prometheus-msteams", image: "bzon/prometheus-msteams" }] },
  status: { phase: "Pending", containerStatuses: [{ name: "prometheus-msteams", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }
};
const failedMount: Event = {
  metadata: { name: "e1", namespace: "monitoring" },
  involvedObject: { kind: "Pod", namespace: "monitoring", name: pod.metadata.name },
  reason: "FailedMount",
  type: "Warning",
  message: 'MountVolume.SetUp failed for volume "config-volume" : configmaps "prometheus-msteams-config" not found',
  count: 8,
  firstTimestamp: "2018-10-15T08:58:00Z",
  lastTimestamp: "2018-10-15T08:59:00Z"
};

const investigate = (homes: ReadonlyArray<string> | undefined) => {
  const builder = new ClusterViewBuilder("test");
  builder.add("pods", [pod]);
  builder.add("events", [failedMount]);
  if (homes !== undefined) builder.setConfigMapHomes("prometheus-msteams-config", homes);
  const alert = makeAlert({ labels: { alertname: "KubePodNotReady", namespace: "monitoring", pod: pod.metadata.name }, at: T });
  return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses;
};

describe("a ConfigMap created in another namespace than the pod's", () => {
  it("names the namespace that holds it", () => {
    const top = investigate(["default"])[0];
    expect(top?.title).toBe(
      "monitoring/prometheus-msteams-59dfbc84b6-ts9dq cannot mount ConfigMap prometheus-msteams-config: it does not exist in namespace monitoring, but a ConfigMap of that name exists in namespace default (created in the wrong namespace)"
    );
    expect(top?.confidence).toBe("high");
  });

  it("says nothing of other namespaces when none holds it, or when nobody looked", () => {
    for (const homes of [[], undefined]) expect(investigate(homes)[0]?.title ?? "").not.toContain("wrong namespace");
  });

  it("a dump that carries configmaps.json tells which namespaces hold a name (names only)", async () => {
    const source = makeDumpClusterSource(REAL);
    expect(await Effect.runPromise(source.findConfigMaps?.("prometheus-msteams-config") ?? Effect.succeed([]))).toEqual(["default"]);
    expect(await Effect.runPromise(source.findConfigMaps?.("absent") ?? Effect.succeed(["?"]))).toEqual([]);
  });
});
