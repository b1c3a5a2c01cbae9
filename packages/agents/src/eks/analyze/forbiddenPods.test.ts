import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Pod } from "../kube/KubeObjects.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import { makeAlert } from "../testing/makeAlert.js";
import { forbiddenPodIn } from "./forbiddenPods.js";

describe("pods a workload creates, refused by a quota in its own log", () => {
  it("reads the API server's refusal in a JSON Status, a Java client's exception and its continuation", () => {
    // jupyterhub/kubespawner#669: the Status the hub received, verbatim (one line of it).
    expect(forbiddenPodIn('  "message": "pods \\"jupyter-appopenshift\\" is forbidden: failed quota: compute-resources: must specify limits.memory",')).toEqual({
      pod: "jupyter-appopenshift",
      failure: { kind: "quota-must-specify", quota: "compute-resources", resources: ["limits.memory"] },
      line: '"message": "pods \\"jupyter-appopenshift\\" is forbidden: failed quota: compute-resources: must specify limits.memory",'
    });
    // kubeflow/spark-operator#810: the driver's log.
    const spark = forbiddenPodIn(
      'io.fabric8.kubernetes.client.KubernetesClientException: Failure executing: POST at: https://kubernetes.default.svc/api/v1/namespaces/system/pods. Message: Forbidden!Configured service account doesn\'t have access. Service account may have been revoked. pods "pyspark-pi-1581596092621-exec-1" is forbidden: failed quota: system-resourcequota: must specify limits.cpu.'
    );
    expect(spark?.pod).toBe("pyspark-pi-1581596092621-exec-1");
    expect(spark?.failure).toEqual({ kind: "quota-must-specify", quota: "system-resourcequota", resources: ["limits.cpu"] });
    // apache/airflow#70513: an exhausted quota, the message continued by the client's "Received status".
    const airflow = forbiddenPodIn(
      'Caused by: io.fabric8.kubernetes.client.KubernetesClientException: Failure executing: POST at: https://host.docker.internal:6445/api/v1/namespaces/spark/pods. Message: pods "arrow-spark-5808b09fa309515b-driver" is forbidden: exceeded quota: spark-demo-quota, requested: count/pods=1, used: count/pods=3, limited: count/pods=3. Received status: Status(apiVersion=v1, code=403)'
    );
    expect(airflow?.failure).toEqual({ kind: "quota", quota: "spark-demo-quota", resources: [{ resource: "count/pods", requested: "1", used: "3", limited: "3" }] });
    // Other refusals (RBAC) are not quota rejections.
    expect(forbiddenPodIn('pods "spark-pi-spark-driver" is forbidden: User "system:serviceaccount:default:spark-pi-spark-spark" cannot get resource "pods"')).toBeUndefined();
  });

  it("accepts any text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (t) => void forbiddenPodIn(t)));
  });

  it("names the quota and the pod the healthy spawner could not create (jupyterhub/kubespawner#669)", () => {
    const hub: Pod = {
      metadata: { name: "hub-6f8c9d7b5-r2xkp", namespace: "jupyterhub", labels: { component: "hub" }, ownerReferences: [{ kind: "ReplicaSet", name: "hub-6f8c9d7b5", controller: true }] },
      spec: { containers: [{ name: "hub", image: "jupyterhub/k8s-hub:2.0.0" }] },
      status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "hub", ready: true, restartCount: 0, state: { running: { startedAt: "2022-11-08T15:00:00Z" } } }] }
    };
    const builder = new ClusterViewBuilder("test");
    builder.add("pods", [hub]);
    builder.setLog({
      namespace: "jupyterhub",
      pod: hub.metadata.name,
      container: "hub",
      current: ['{', '  "kind": "Status",', '  "message": "pods \\"jupyter-appopenshift\\" is forbidden: failed quota: compute-resources: must specify limits.memory",', '  "reason": "Forbidden",', '  "code": 403', "}"].join("\n")
    });
    const alert = makeAlert({ labels: { alertname: "SpawnFailed", namespace: "jupyterhub", pod: hub.metadata.name }, at: Date.parse("2022-11-08T15:30:00Z") });
    const top = analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses[0];
    expect(top?.title).toContain("ResourceQuota compute-resources rejects pod jupyter-appopenshift that jupyterhub/hub");
    expect(top?.title).toContain("must specify limits.memory");
    expect(top?.confidence).toBe("high");
  });
});
