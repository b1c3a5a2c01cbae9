import { parseAlertmanagerWebhook, parseChatAlert } from "@sre-on-call/core";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { controlPlaneOf, scopeFromAlert } from "./scopeFromAlert.js";

const chat = (text: string) => scopeFromAlert(parseChatAlert({ source: "cli", text, timestamp: 0, channelId: "c", messageId: "m" }));

const alertmanager = (labels: Record<string, string>, annotations: Record<string, string>) => {
  const parsed = parseAlertmanagerWebhook({ version: "4", status: "firing", receiver: "r", groupLabels: {}, commonLabels: labels, commonAnnotations: {}, externalURL: "", alerts: [{ status: "firing", labels, annotations, startsAt: "2021-12-17T10:44:00Z", endsAt: "0001-01-01T00:00:00Z", fingerprint: "f" }] }, { now: 0, channelId: "c", messageId: "m" });
  if (Result.isFailure(parsed)) throw new Error(parsed.failure.message);
  const first = parsed.success.alerts[0];
  if (first === undefined) throw new Error("no alert");
  return scopeFromAlert(first);
};

describe("scopeFromAlert", () => {
  it("labels are exact; names read from prose are marked loose, to be checked against the cluster", () => {
    // kubernetes-mixin's KubeJobFailed as keptn-contrib/job-executor-service#124 received it.
    const job = alertmanager(
      { alertname: "KubeJobFailed", namespace: "keptn", job_name: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1", job: "kube-state-metrics", service: "kube-prometheus-stack-kube-state-metrics" },
      { description: "Job keptn/job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1 failed to complete. Removing failed job after investigation should clear this alert." }
    );
    expect(job).toMatchObject({ namespace: "keptn", workload: { kind: "Job", name: "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1" } });
    expect(job.pod).toBeUndefined();
    expect(job.loose).toBeUndefined();
    // A question in words (canonical/microk8s-style): everything it names is loose.
    expect(chat("pod/ledger-api-0 in ns ledger: CreateContainerConfigError").loose).toEqual(expect.arrayContaining(["namespace", "pod", "workload"]));
  });

  it("keeps the prose for loose matching and knows whether the alert is about Kubernetes", () => {
    expect(chat("When running IBM Event Streams 2018.3.0, the zookeeper pods repeatedly restart")).toMatchObject({ aboutKubernetes: "clearly", prose: expect.stringContaining("zookeeper pods") });
    expect(chat("Cronjob to release free ips are not getting executed on scheduled interval.").aboutKubernetes).toBe("clearly");
    expect(chat("the payment service restarts every hour").aboutKubernetes).toBe("possibly");
    expect(chat("the invoice export to the accounting system is late again").aboutKubernetes).toBeUndefined();
  });

  it.each([
    ["KubeSchedulerDown", "kube-scheduler"],
    ["K8SSchedulerDown", "kube-scheduler"],
    ["KubeControllerManagerDown", "kube-controller-manager"],
    ["K8SControllerManagerDown", "kube-controller-manager"],
    ["KubeAPIDown", "kube-apiserver"],
    ["KubeProxyDown", "kube-proxy"],
    ["KubePodCrashLooping", undefined]
  ])("control-plane rule %s → %s", (alertname, component) => {
    expect(controlPlaneOf(alertname)).toBe(component);
  });
});
