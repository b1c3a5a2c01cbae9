import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Pod } from "../kube/KubeObjects.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import { makeAlert } from "../testing/makeAlert.js";
import { probeAnswersInLog } from "./probeLog.js";

describe("the probe's answers in the server's own access log", () => {
  it("reads combined-format and JSON request lines for the probe's path only", () => {
    // change-metrics/monocle#693 (verbatim lines, the user agent is the kubelet's)
    const monocle = ['- - [0:00 +0000] "GET /api/2/health HTTP/1.1" 404 - "" "kube-probe/1.22+"', '- - [0:10 +0000] "GET /api/2/health HTTP/1.1" 404 - "" "kube-probe/1.22+"'].join("\n");
    expect(probeAnswersInLog(monocle, ["/api/2/health"])).toEqual([{ path: "/api/2/health", status: 404, failed: 2, total: 2 }]);
    // kubernetes-retired/contrib#1818: the older kubelet's user agent, nginx's combined format with extra fields.
    const contrib =
      '172.17.0.1 - [172.17.0.1] - - [30/Sep/2016:20:56:26 +0000] "GET /ingress-controller-healthz HTTP/1.1" 404 21 "-" "Go-http-client/1.1" 139 0.000 172.17.0.4:8080 21 0.000 404';
    expect(probeAnswersInLog(`${contrib}\n${contrib}`, ["/ingress-controller-healthz"])[0]).toMatchObject({ status: 404, failed: 2 });
    // istio/istio#18467: Kibana's JSON lines, a healthy probe (200).
    const kibana =
      '{"type":"response","@timestamp":"2019-11-05T19:32:59Z","tags":[],"pid":6,"method":"get","statusCode":200,"req":{"url":"/login","method":"get","headers":{"host":"localhost:5601","user-agent":"kube-probe/1.13+"}},"message":"GET /login 200 17ms - 9.0B"}';
    expect(probeAnswersInLog(kibana, ["/login"])).toEqual([{ path: "/login", status: 200, failed: 0, total: 1 }]);
    expect(probeAnswersInLog(monocle, ["/healthz"])).toEqual([]);
  });

  it("accepts any text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 20 }), (t, p) => void probeAnswersInLog(t, [p])));
  });

  it("names the probe's 404 as the cause of the restarts when no Unhealthy event is left (change-metrics/monocle#693)", () => {
    const T = Date.parse("2022-03-01T10:00:00Z");
    const pod: Pod = {
      metadata: { name: "api-5f7b8c9d4-h8kqz", namespace: "default", ownerReferences: [{ kind: "ReplicaSet", name: "api-5f7b8c9d4", controller: true }] },
      spec: {
        nodeName: "node-1",
        containers: [{ name: "api", image: "quay.io/change-metrics/monocle:latest", livenessProbe: { httpGet: { path: "/api/2/health", port: 9898 }, periodSeconds: 10, failureThreshold: 6 } }]
      },
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name: "api",
            ready: false,
            restartCount: 7,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 137, reason: "Error", finishedAt: "2022-03-01T09:59:00Z" } }
          }
        ]
      }
    };
    const builder = new ClusterViewBuilder("test");
    builder.add("pods", [pod]);
    builder.setLog({
      namespace: "default",
      pod: pod.metadata.name,
      container: "api",
      current: ["Serving 1 tenant(s) on 0.0.0.0:9898 with elastic: http://elastic:9200", ...Array.from({ length: 6 }, (_, i) => `- - [0:${i}0 +0000] "GET /api/2/health HTTP/1.1" 404 - "" "kube-probe/1.22+"`)].join("\n")
    });
    const alert = makeAlert({ labels: { alertname: "KubePodCrashLooping", namespace: "default", pod: pod.metadata.name, container: "api" }, at: T });
    const top = analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses[0];
    expect(top?.title).toContain("is restarted by its failing liveness probe (GET /api/2/health on port 9898): the application does not serve /api/2/health (HTTP 404)");
    expect(top?.confidence).toBe("high");
  });
});
