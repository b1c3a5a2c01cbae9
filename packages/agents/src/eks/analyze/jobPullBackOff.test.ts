import { describe, expect, it } from "vitest";
import type { Event, Job, Pod } from "../kube/KubeObjects.js";
import { investigateObjects, topOf } from "../testing/investigateObjects.js";

/*
 * distr-sh/distr#1868: the chart's CronJob template lacks the imagePullSecrets its Deployment has,
 * so the Job's pod cannot pull from the private registry. The Failed message is verbatim; names,
 * node and times are neutral. The Job's own hypothesis only restates the waiting state (Back-off
 * pulling image…): the pull check names why, so it must rank first.
 */
const T = Date.parse("2026-02-20T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const image = "registry.distr.sh/enterprise/distr-ee:2.11.2";

const job: Job = {
  metadata: { name: "distr-cleanup-29524320", namespace: "distr", uid: "uid-job", ownerReferences: [{ kind: "CronJob", name: "distr-cleanup", controller: true }] },
  spec: { backoffLimit: 6 },
  status: { active: 1, startTime: iso(T - 600_000) }
};
const pod: Pod = {
  metadata: { name: "distr-cleanup-29524320-fx8wl", namespace: "distr", creationTimestamp: iso(T - 600_000), ownerReferences: [{ kind: "Job", name: job.metadata.name, uid: "uid-job", controller: true }] },
  spec: { nodeName: "node-2", restartPolicy: "OnFailure", containers: [{ name: "distr-cleanup", image }] },
  status: {
    phase: "Pending",
    containerStatuses: [{ name: "distr-cleanup", image, ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` } } }]
  }
};
const event = (reason: string, message: string): Event => ({
  metadata: { name: `${pod.metadata.name}.${reason}`, namespace: "distr" },
  involvedObject: { kind: "Pod", name: pod.metadata.name, namespace: "distr", fieldPath: "spec.containers{distr-cleanup}" },
  reason,
  type: "Warning",
  message,
  count: 5,
  firstTimestamp: iso(T - 540_000),
  lastTimestamp: iso(T - 60_000)
});

describe("a Job whose pod cannot pull its image", () => {
  it("names the missing pull secret first, the Job's restated back-off below it", () => {
    const events = [
      event("Failed", `Failed to pull image "${image}": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`),
      event("BackOff", `Back-off pulling image "${image}"`)
    ];
    const r = investigateObjects({ objects: { jobs: [job], pods: [pod], events } }, { alertname: "KubeContainerWaiting", namespace: "distr", pod: pod.metadata.name, container: "distr-cleanup" }, T);
    const top = topOf(r);
    expect(top.title).toBe(`Image ${image} cannot be pulled: the pod has no imagePullSecrets, so no credentials were sent to private registry registry.distr.sh (no basic auth credentials)`);
    expect(top.confidence).toBe("high");
  });
});
