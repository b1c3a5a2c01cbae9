import { describe, expect, it } from "vitest";
import type { Event, Pod } from "../kube/KubeObjects.js";
import { CREATED, eventsOfContainer, failedForRunningPod, latestInformative, namesOnlyTheSymptom, supersededBy } from "./selectEvents.js";

const event = (reason: string, message: string, at: string, fieldPath?: string, kind = "Pod"): Event => ({
  metadata: { name: `${reason}-${at}` },
  involvedObject: { kind, name: "x", ...(fieldPath !== undefined ? { fieldPath } : {}) },
  reason,
  message,
  lastTimestamp: at
});

describe("choosing the informative event", () => {
  // Stirling-Tools/Stirling-PDF#1209: the pasted `kubectl describe pod` events, in order.
  const stirling = [
    event("Pulling", 'Pulling image "frooodle/s-pdf:0.23.2"', "2024-05-15T11:58:03Z", "spec.containers{stirling-pdf-chart}"),
    event(
      "Failed",
      'Failed to pull image "frooodle/s-pdf:0.23.2": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/frooodle/s-pdf:0.23.2": failed to resolve reference "docker.io/frooodle/s-pdf:0.23.2": docker.io/frooodle/s-pdf:0.23.2: not found',
      "2024-05-15T11:58:04Z",
      "spec.containers{stirling-pdf-chart}"
    ),
    event("Failed", "Error: ErrImagePull", "2024-05-15T11:58:04Z", "spec.containers{stirling-pdf-chart}"),
    event("Failed", "Error: ImagePullBackOff", "2024-05-15T11:58:15Z", "spec.containers{stirling-pdf-chart}"),
    event("BackOff", 'Back-off pulling image "frooodle/s-pdf:0.23.2"', "2024-05-15T11:58:26Z", "spec.containers{stirling-pdf-chart}")
  ];

  it("skips the kubelet's restatements of the state", () => {
    expect(namesOnlyTheSymptom("Error: ErrImagePull")).toBe(true);
    expect(namesOnlyTheSymptom("Error: ImagePullBackOff")).toBe(true);
    expect(namesOnlyTheSymptom('Back-off pulling image "frooodle/s-pdf:0.23.2"')).toBe(true);
    expect(namesOnlyTheSymptom("Error: couldn't find key postgresql-password in Secret test/my-postgresql")).toBe(false);
    expect(latestInformative(stirling, new Set(["Failed"]))?.message).toMatch(/: not found$/);
  });

  it("keeps a container's events and the pod's unattributed ones, not another container's", () => {
    const events = [...stirling, event("Failed", "Error: exec format error", "2024-05-15T11:59:00Z", "spec.initContainers{init}"), event("Failed", 'Error: secret "s" not found', "2024-05-15T11:59:00Z")];
    const mine = eventsOfContainer(events, "stirling-pdf-chart");
    expect(mine).toHaveLength(6);
    expect(mine.some((e) => e.message === "Error: exec format error")).toBe(false);
  });

  it("prefers the newest of several informative failures (IBM/event-streams#11)", () => {
    const events = [
      event("Failed", 'Error: secrets "eventsgreen-ibm-es-oauth-secret" not found', "2018-11-27T10:00:00Z"),
      event("Failed", "Error: Couldn't find key eventstreams-eventsgreen-api-key in Secret streaming/eventsgreen-ibm-es-iam-secret", "2018-11-27T10:05:00Z")
    ];
    expect(latestInformative(events, new Set(["Failed"]))?.message).toMatch(/Couldn't find key/);
  });
});

describe("failures that are over", () => {
  it("a FailedCreate followed by a SuccessfulCreate (kubernetes/kubernetes#47002)", () => {
    const failed = event("FailedCreate", "create Pod etcd-1 in StatefulSet etcd failed error: The POST operation against Pod could not be completed at this time, please try again.", "2017-06-05T10:01:00Z", undefined, "StatefulSet");
    const created = event("SuccessfulCreate", "create Pod etcd-1 in StatefulSet etcd successful", "2017-06-05T10:02:00Z", undefined, "StatefulSet");
    expect(supersededBy(failed, [failed, created], CREATED)).toBe(created);
    // A success before the failure, or a claim created after it, ends nothing.
    expect(supersededBy(created, [failed], new Set(["FailedCreate"]))).toBeUndefined();
    const claim = event("SuccessfulCreate", "create Claim datadir-etcd-1 Pod etcd-1 in StatefulSet etcd success", "2017-06-05T10:03:00Z", undefined, "StatefulSet");
    expect(supersededBy(failed, [failed, claim], CREATED)).toBeUndefined();
  });

  it("a StatefulSet's FailedCreate for a pod that runs (kz8s/tack#185)", () => {
    const failed = event("FailedCreate", "create Pod pgset-0 in StatefulSet pgset failed error: The POST operation against Pod could not be completed at this time, please try again.", "2017-06-03T02:36:00Z", undefined, "StatefulSet");
    const running: Pod = { metadata: { name: "pgset-0" }, status: { phase: "Running" } };
    expect(failedForRunningPod(failed, [running])).toBe(true);
    expect(failedForRunningPod(failed, [{ metadata: { name: "pgset-0" }, status: { phase: "Pending" } }])).toBe(false);
  });
});
