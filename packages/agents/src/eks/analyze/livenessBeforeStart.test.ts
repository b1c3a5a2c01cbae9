import { describe, expect, it } from "vitest";
import type { Event, Pod, Probe } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";

/*
 * aws-samples/eks-blueprints-for-terraform-workshop#24: the carts service (Spring Boot) needs about 50 s to start; its
 * liveness probe begins at 45 s and gives up after 3 failures 3 s apart, so the kubelet kills it 51 s after start
 * ("Container carts failed liveness probe, will be restarted", exit 143). Events and statuses as pasted; the rest neutral.
 */
const liveness: Probe = { httpGet: { path: "/actuator/health/liveness", port: 8080, scheme: "HTTP" }, initialDelaySeconds: 45, periodSeconds: 3, timeoutSeconds: 1, failureThreshold: 3 };

const pod = (o: { startedAt: string; finishedAt: string; startupProbe?: Probe }): Pod => ({
  metadata: { name: "carts-66c7c59ddf-64lsb", namespace: "carts", labels: { app: "carts" } },
  spec: { containers: [{ name: "carts", image: "public.ecr.aws/aws-containers/retail-store-sample-cart:0.7.0", livenessProbe: liveness, ...(o.startupProbe !== undefined ? { startupProbe: o.startupProbe } : {}) }] },
  status: {
    phase: "Running",
    containerStatuses: [
      { name: "carts", ready: false, restartCount: 1, state: { running: { startedAt: "2024-10-03T11:51:24Z" } }, lastState: { terminated: { reason: "Error", exitCode: 143, startedAt: o.startedAt, finishedAt: o.finishedAt } } }
    ]
  }
});
const killing: Event = {
  metadata: { name: "carts-66c7c59ddf-64lsb.killing", namespace: "carts" },
  involvedObject: { kind: "Pod", name: "carts-66c7c59ddf-64lsb", namespace: "carts", fieldPath: "spec.containers{carts}" },
  reason: "Killing",
  message: "Container carts failed liveness probe, will be restarted",
  type: "Normal",
  count: 1,
  firstTimestamp: "2024-10-03T11:51:21Z",
  lastTimestamp: "2024-10-03T11:51:21Z"
};
const run = (p: Pod) => hypothesesFor({ pods: [p], events: [killing] }, { alertname: "KubePodNotReady", namespace: "carts", pod: p.metadata.name }, "2024-10-03T11:59:44Z");

describe("a liveness probe that kills a process before it has started", () => {
  it("says so, with the run's length and the probe's grace, above the bare exit code", () => {
    const hs = run(pod({ startedAt: "2024-10-03T11:50:30Z", finishedAt: "2024-10-03T11:51:21Z" }));
    expect(hs[0]?.title).toContain("is killed by its liveness probe before it has started: the run lasted 51 s, within the probe's grace (initialDelaySeconds 45 + 3 × 3 s) and with no startupProbe");
    expect(hs[0]?.confidence).toBe("medium");
    expect(hs[0]?.actions?.[0]).toContain("startupProbe");
  });

  it("not when the process ran long before it was killed, nor when a startupProbe guards the start", () => {
    const long = run(pod({ startedAt: "2024-10-03T10:00:00Z", finishedAt: "2024-10-03T11:51:21Z" }));
    expect(long.some((h) => h.title.includes("before it has started"))).toBe(false);
    const guarded = run(pod({ startedAt: "2024-10-03T11:50:30Z", finishedAt: "2024-10-03T11:51:21Z", startupProbe: { httpGet: { path: "/actuator/health/liveness", port: 8080 }, failureThreshold: 30, periodSeconds: 5 } }));
    expect(guarded.some((h) => h.title.includes("before it has started"))).toBe(false);
  });
});

describe("exit 137 with no reason and no probe kill: the memory limit is the likely hand (google/osv.dev#5056)", () => {
  const ksm = (limits?: Record<string, string>): Pod => ({
    metadata: { name: "kube-state-metrics-6b4f8c9d7-x2x9z", namespace: "kube-system", labels: { app: "kube-state-metrics" } },
    spec: { containers: [{ name: "kube-state-metric", image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.10.0", resources: { requests: { memory: "190Mi" }, ...(limits !== undefined ? { limits } : {}) } }] },
    status: {
      phase: "Running",
      containerStatuses: [{ name: "kube-state-metric", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 137, startedAt: "2026-03-17T08:00:00Z", finishedAt: "2026-03-17T08:00:00Z" } } }]
    }
  });
  const top = (p: Pod, events: ReadonlyArray<Event> = []) => hypothesesFor({ pods: [p], events }, { alertname: "KubePodCrashLooping", namespace: "kube-system", pod: p.metadata.name }, "2026-03-17T08:05:00Z")[0];

  it("names the limit, at medium: the kubelet did not report OOMKilled", () => {
    const h = top(ksm({ memory: "250Mi" }));
    expect(h?.title).toContain("is killed (exit code 137, SIGKILL) with no reason given and no probe that killed it — most likely out of memory at its memory limit 250Mi");
    expect(h?.confidence).toBe("medium");
  });

  it("not without a memory limit, nor when a probe killed it", () => {
    expect(top(ksm())?.title).toContain("exits with code 137 (unknown reason)");
    const probeKill: Event = { ...killing, involvedObject: { kind: "Pod", name: "kube-state-metrics-6b4f8c9d7-x2x9z", namespace: "kube-system" }, metadata: { name: "k", namespace: "kube-system" } };
    expect(top(ksm({ memory: "250Mi" }), [probeKill])?.title ?? "").not.toContain("most likely out of memory");
  });
});
