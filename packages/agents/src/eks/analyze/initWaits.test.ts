import { describe, expect, it } from "vitest";
import type { Pod } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";
import { initWaits } from "./initWaits.js";

const waiting = (name: string, command: ReadonlyArray<string>, running = true, init = "wait-for-kafka"): Pod => ({
  metadata: { name: `${name}-5bc54f8cd8-h8j4z`, namespace: "astronomy-shop", labels: { app: name } },
  spec: { initContainers: [{ name: init, image: "busybox:latest", command: [...command] }], containers: [{ name: name, image: `ghcr.io/open-telemetry/demo:1.12.0-${name}` }] },
  status: {
    phase: "Pending",
    initContainerStatuses: [{ name: init, ready: false, restartCount: 0, state: running ? { running: { startedAt: "2025-08-25T10:00:05Z" } } : { terminated: { exitCode: 0, reason: "Completed" } } }],
    containerStatuses: [{ name: name, ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
  }
});
// microsoft/AIOpsLab#59: the OTel demo's services wait for kafka with this init container; kafka is OOMKilled.
const NC = ["sh", "-c", "until nc -z -v -w30 kafka 9092; do echo waiting for kafka; sleep 2; done;"];

describe("initWaits: what a waiting init container waits for, from its command", () => {
  it("reads nc, nslookup, pg_isready and wget/curl loops", () => {
    expect(initWaits([waiting("checkout", NC)]).map((w) => [w.host, w.port])).toEqual([["kafka", 9092]]);
    expect(initWaits([waiting("a", ["sh", "-c", "until nslookup myservice.default.svc.cluster.local; do echo waiting; sleep 2; done"])])[0]?.host).toBe("myservice.default.svc.cluster.local");
    expect(initWaits([waiting("a", ["sh", "-c", "until pg_isready -h postgres -p 5432; do sleep 1; done"])]).map((w) => [w.host, w.port])).toEqual([["postgres", 5432]]);
    expect(initWaits([waiting("a", ["sh", "-c", "while ! wget -q -O- http://keycloak:8080/health; do sleep 5; done"])]).map((w) => [w.host, w.port])).toEqual([["keycloak", 8080]]);
  });

  it("not when the init container has finished, nor for a command that does not loop", () => {
    expect(initWaits([waiting("checkout", NC, false)])).toEqual([]);
    expect(initWaits([waiting("a", ["sh", "-c", "nc -z kafka 9092"], true, "check")])).toEqual([]);
  });

  it("follows the wait to the dependency and its own failure, ranked first", () => {
    const kafka: Pod = {
      metadata: { name: "kafka-595d889c56-l2ks9", namespace: "astronomy-shop", labels: { app: "kafka" } },
      spec: { containers: [{ name: "kafka", image: "ghcr.io/open-telemetry/demo:1.12.0-kafka", resources: { limits: { memory: "600Mi" } } }] },
      status: { phase: "Running", containerStatuses: [{ name: "kafka", ready: false, restartCount: 6, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: "2025-08-25T10:11:48Z" } } }] }
    };
    const checkout = waiting("checkout", NC);
    const hs = hypothesesFor(
      { pods: [checkout, kafka], services: [{ metadata: { name: "kafka", namespace: "astronomy-shop" }, spec: { clusterIP: "10.96.120.9", selector: { app: "kafka" }, ports: [{ port: 9092 }] } }] },
      { alertname: "KubePodNotReady", namespace: "astronomy-shop", pod: checkout.metadata.name },
      "2025-08-25T10:15:00Z"
    );
    expect(hs[0]?.title).toContain("is OOMKilled: container kafka exceeds its 600Mi memory limit");
  });
});
