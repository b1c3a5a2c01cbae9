import { Finding, Hypothesis } from "@sre-on-call/core";
import { Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import { asKubeObjects, NAMESPACED_KINDS, type Node } from "../kube/KubeObjects.js";
import { makeAlert } from "../testing/makeAlert.js";
import { parseConfigError } from "./analyzeContainers.js";
import { parseCreateFailure } from "./parseCreateFailure.js";
import { parseSchedulingMessage } from "./parseSchedulingMessage.js";
import { clipText } from "./podFacts.js";
import { scanLog } from "./scanLog.js";

const T = Date.parse("2026-04-02T09:30:00Z");
const names = fc.constantFrom("api", "api-7d9f8b6c5-x2x9z", "db-0", "api-7d9f8b6c5", "node-1", "kube-dns", "");

/** Values of plausible and implausible shapes, so fields are sometimes right and often wrong. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 137, "", "True", "False", "CrashLoopBackOff", "OOMKilled", "256Mi", "2026-04-02T09:29:00Z", "not a date", "ReplicaSet", "Deployment"),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.array(fc.constantFrom<unknown>(null, 1, "x", {}), { maxLength: 3 })
);

const looseObject = (keys: ReadonlyArray<string>, inner: fc.Arbitrary<unknown>) => fc.dictionary(fc.constantFrom(...keys), inner, { maxKeys: keys.length });

const containerStatus = looseObject(["name", "ready", "restartCount", "state", "lastState", "image"], fc.oneof(value, looseObject(["waiting", "terminated", "running"], fc.oneof(value, looseObject(["reason", "message", "exitCode", "finishedAt", "startedAt"], value)))));

/** Objects with a name (the only thing a source guarantees) and anything else, well- or ill-typed. */
const kubeObject = fc.record({
  metadata: fc.record({
    name: names,
    namespace: fc.constantFrom("shop", "kube-system", "shop"),
    labels: fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom("app", "k8s-app", "pod-template-hash"), fc.constantFrom("api", "kube-dns", "7d9f8b6c5"))),
    ownerReferences: fc.oneof(value, fc.array(looseObject(["kind", "name", "uid", "controller"], value), { maxLength: 2 })),
    uid: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 })),
    creationTimestamp: value,
    annotations: fc.oneof(value, fc.dictionary(fc.constant("deployment.kubernetes.io/revision"), fc.string({ maxLength: 3 })))
  }),
  spec: fc.oneof(value, looseObject(["nodeName", "containers", "volumes", "replicas", "selector", "template", "clusterIP", "ports"], fc.oneof(value, fc.array(looseObject(["name", "image", "resources", "persistentVolumeClaim"], value), { maxLength: 2 })))),
  status: fc.oneof(value, looseObject(["phase", "reason", "message", "conditions", "containerStatuses", "initContainerStatuses", "podIP"], fc.oneof(value, fc.array(fc.oneof(containerStatus, looseObject(["type", "status", "reason", "message", "lastTransitionTime"], value)), { maxLength: 3 })))),
  involvedObject: fc.oneof(value, looseObject(["kind", "name"], fc.oneof(value, names))),
  reason: fc.oneof(value, fc.constantFrom("FailedScheduling", "Unhealthy", "Killing", "Evicted", "FailedCreate", "Failed", "ProvisioningFailed", "FailedMount")),
  message: fc.oneof(value, fc.constantFrom("0/3 nodes are available: 3 Insufficient memory.", "Liveness probe failed: timeout", "exceeded quota: q, requested: a=1, used: a=2, limited: a=2")),
  subsets: fc.oneof(value, fc.array(looseObject(["addresses", "notReadyAddresses"], value), { maxLength: 2 }))
});

const logText = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.array(
    fc.oneof(
      fc.constantFrom(
        "panic: boom",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ValueError: bad",
        "Error: connect ECONNREFUSED 172.20.5.5:5432",
        "    at X (y.js:1:1)",
        "  [cause]: Error: getaddrinfo ENOTFOUND db",
        "dial tcp: lookup db on 172.20.0.10:53: no such host",
        "Caused by: java.io.IOException: No space left on device",
        "2026-04-02T09:29:00Z ERROR x",
        "[2026-99-99 99:99:99] FATAL"
      ),
      fc.string({ maxLength: 60 })
    ),
    { maxLength: 30 }
  ).map((lines) => lines.join("\n"))
);

const decodeFindings = Schema.decodeUnknownSync(Schema.Array(Finding));
const decodeHypotheses = Schema.decodeUnknownSync(Schema.Array(Hypothesis));

describe("analyzers never throw", () => {
  it("on arbitrary and malformed objects and logs, and still answer with valid, cited results", () => {
    fc.assert(
      fc.property(
        fc.array(kubeObject, { maxLength: 12 }),
        fc.array(logText, { maxLength: 3 }),
        fc.dictionary(fc.constantFrom("namespace", "pod", "deployment", "statefulset", "service", "node"), names.filter((n) => n !== "")),
        (objects, logs, labels) => {
          const builder = new ClusterViewBuilder("property");
          const items = asKubeObjects(objects);
          builder.setNodes(items as unknown as ReadonlyArray<Node>);
          builder.setServices(items as never);
          for (const kind of NAMESPACED_KINDS) builder.add(kind, items as never);
          const pods = items.map((o) => o.metadata.name);
          logs.forEach((text, i) => builder.setLog({ namespace: "shop", pod: pods[i] ?? "api", container: "api", current: text, previous: text }));
          const alert = makeAlert({ labels: { alertname: "X", ...labels }, at: T });
          const result = analyzeClusterView(builder.build(), alert, scopeFromAlert(alert));
          decodeFindings(result.findings);
          decodeHypotheses(result.hypotheses);
          const ids = new Set(result.findings.map((f) => f.id));
          expect(ids.size).toBe(result.findings.length);
          for (const h of result.hypotheses) for (const ref of h.supportingFindings) expect(ids.has(ref)).toBe(true);
        }
      ),
      { numRuns: 300 }
    );
  });

  it("scanLog and the message parsers accept any text", () => {
    fc.assert(
      fc.property(logText, (text) => {
        const signals = scanLog(text);
        expect(signals.lines).toBeLessThanOrEqual(text.split("\n").length);
        parseSchedulingMessage(text);
        parseCreateFailure(text);
        parseConfigError(text);
      }),
      { numRuns: 500 }
    );
  });

  it("log samples and event texts are redacted before they are cut: a cut never leaves a key's prefix", () => {
    const key = "AKIAQ3EGV7EXAMPL3K3Y";
    for (const at of [280, 290, 295]) {
      const line = `2026-03-12T14:20:00Z ERROR ${"a".repeat(at - 27)} ${key}`;
      const signals = scanLog(`${line}\n${line}\nNo space left on device ${"b".repeat(at - 24)} ${key}`);
      expect(JSON.stringify(signals)).not.toContain("AKIAQ");
    }
    for (const at of [110, 115, 119]) expect(clipText(`${"a".repeat(at)} ${key}`, 120)).not.toContain("AKIAQ");
  });
});
