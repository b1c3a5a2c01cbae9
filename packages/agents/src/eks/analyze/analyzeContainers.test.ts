import type { Hypothesis } from "@sre-on-call/core";
import { describe, expect, it } from "vitest";
import { analyzeClusterView } from "../investigate/analyzeClusterView.js";
import { ClusterViewBuilder } from "../investigate/ClusterView.js";
import { scopeFromAlert } from "../investigate/scopeFromAlert.js";
import type { Deployment, Event, Node, Pod, ReplicaSet } from "../kube/KubeObjects.js";
import { makeAlert } from "../testing/makeAlert.js";

/*
 * Each case is built from objects and lines people pasted in a public thread (the source is named
 * above it). Only the fields the analyzers read are kept; names are the pasted ones.
 */

const node = (name: string, arch = "amd64"): Node => ({
  metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/arch": arch } },
  status: { conditions: [{ type: "Ready", status: "True" }], nodeInfo: { architecture: arch } }
});

const event = (namespace: string, pod: string, reason: string, message: string, at: string, o: { fieldPath?: string; kind?: string; type?: string } = {}): Event => ({
  metadata: { name: `${pod}.${reason}.${at}`, namespace },
  involvedObject: { kind: o.kind ?? "Pod", namespace, name: pod, ...(o.fieldPath !== undefined ? { fieldPath: o.fieldPath } : {}) },
  reason,
  message,
  type: o.type ?? "Warning",
  count: 1,
  lastTimestamp: at
});

interface Case {
  readonly at: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodes?: ReadonlyArray<Node>;
  readonly pods?: ReadonlyArray<Pod>;
  readonly events?: ReadonlyArray<Event>;
  readonly deployments?: ReadonlyArray<Deployment>;
  readonly replicasets?: ReadonlyArray<ReplicaSet>;
  readonly logs?: ReadonlyArray<{ readonly namespace: string; readonly pod: string; readonly container: string; readonly current?: string; readonly previous?: string }>;
}

const investigate = (c: Case): ReadonlyArray<Hypothesis> => {
  const builder = new ClusterViewBuilder("test");
  builder.setNodes(c.nodes ?? [node("node-1")]);
  builder.add("pods", c.pods ?? []);
  builder.add("events", c.events ?? []);
  builder.add("deployments", c.deployments ?? []);
  builder.add("replicasets", c.replicasets ?? []);
  for (const log of c.logs ?? []) builder.setLog(log);
  const alert = makeAlert({ labels: { alertname: "KubePodNotReady", ...c.labels }, at: Date.parse(c.at) });
  return analyzeClusterView(builder.build(), alert, scopeFromAlert(alert)).hypotheses;
};

const top = (hypotheses: ReadonlyArray<Hypothesis>): Hypothesis => {
  const h = hypotheses[0];
  if (h === undefined) throw new Error("no hypothesis");
  return h;
};

const pod = (namespace: string, name: string, spec: Pod["spec"], status: Pod["status"], owner?: string): Pod => ({
  metadata: { name, namespace, ...(owner !== undefined ? { ownerReferences: [{ kind: "ReplicaSet", name: owner, controller: true }], labels: { "pod-template-hash": owner.slice(owner.lastIndexOf("-") + 1) } } : {}) },
  spec: { nodeName: "node-1", ...spec },
  status: { phase: "Pending", ...status }
});

describe("image pulls: the registry's reason, not the symptom", () => {
  it("takes the informative event over `Error: ErrImagePull` filed in the same second (red-hat-storage/ocs-ci#4494)", () => {
    const ns = "myproject";
    const h = top(
      investigate({
        at: "2021-06-30T12:00:00Z",
        labels: { namespace: ns, pod: "kafdrop-1-j4969" },
        pods: [pod(ns, "kafdrop-1-j4969", { containers: [{ name: "kafdrop", image: "obsidiandynamics/kafdrop:latest" }] }, { containerStatuses: [{ name: "kafdrop", image: "obsidiandynamics/kafdrop:latest", state: { waiting: { reason: "ImagePullBackOff" } } }] })],
        events: [
          event(
            ns,
            "kafdrop-1-j4969",
            "Failed",
            'Failed to pull image "obsidiandynamics/kafdrop:latest": rpc error: code = Unknown desc = Error reading manifest latest in docker.io/obsidiandynamics/kafdrop: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
            "2021-06-30T11:59:44Z",
            { fieldPath: "spec.containers{kafdrop}" }
          ),
          event(ns, "kafdrop-1-j4969", "Failed", "Error: ErrImagePull", "2021-06-30T11:59:44Z", { fieldPath: "spec.containers{kafdrop}" }),
          event(ns, "kafdrop-1-j4969", "BackOff", 'Back-off pulling image "obsidiandynamics/kafdrop:latest"', "2021-06-30T11:59:56Z", { fieldPath: "spec.containers{kafdrop}", type: "Normal" })
        ]
      })
    );
    expect(h.title).toMatch(/docker\.io/);
    expect(h.title).toMatch(/toomanyrequests/);
    expect(h.confidence).toBe("high");
  });

  it("names the registry host whose DNS lookup fails (rancher-sandbox/rancher-desktop#579)", () => {
    const h = top(
      investigate({
        at: "2021-09-03T12:00:00Z",
        labels: { namespace: "default", pod: "nginx" },
        pods: [pod("default", "nginx", { containers: [{ name: "nginx", image: "nginx:latest" }] }, { containerStatuses: [{ name: "nginx", state: { waiting: { reason: "ImagePullBackOff" } } }] })],
        events: [
          event(
            "default",
            "nginx",
            "Failed",
            'Failed to pull image "nginx:latest": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginx:latest": failed to resolve reference "docker.io/library/nginx:latest": failed to do request: Head "https://registry-1.docker.io/v2/library/nginx/manifests/latest": dial tcp: lookup registry-1.docker.io: Try again',
            "2021-09-03T11:59:00Z",
            { fieldPath: "spec.containers{nginx}" }
          )
        ]
      })
    );
    expect(h.title).toContain("DNS lookup of registry host registry-1.docker.io fails");
  });

  it("says it only knows the symptom, at medium, when no event gives the reason", () => {
    const h = top(
      investigate({
        at: "2021-09-03T12:00:00Z",
        labels: { namespace: "default", pod: "nginx" },
        pods: [pod("default", "nginx", { containers: [{ name: "nginx", image: "nginx:latest" }] }, { containerStatuses: [{ name: "nginx", state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:latest"' } } }] })]
      })
    );
    expect(h.confidence).toBe("medium");
    expect(h.title).toMatch(/do not say why/);
  });
});

describe("CreateContainerConfigError: the kubelet's event and the spec's reference", () => {
  // sentry-kubernetes/charts#1433: no waiting message was pasted; the event names the key.
  const sentry = (events: ReadonlyArray<Event>) =>
    investigate({
      at: "2024-09-07T12:00:00Z",
      labels: { namespace: "test", pod: "sentry-cron-5986567d77-t2kpm" },
      pods: [
        pod(
          "test",
          "sentry-cron-5986567d77-t2kpm",
          { containers: [{ name: "sentry-cron", image: "getsentry/sentry", env: [{ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "my-postgresql", key: "postgresql-password" } } }] }] },
          { containerStatuses: [{ name: "sentry-cron", state: { waiting: { reason: "CreateContainerConfigError" } } }] }
        )
      ],
      events
    });

  it("names the missing key, the Secret and the env var that reads it (sentry-kubernetes/charts#1433)", () => {
    const h = top(
      sentry([
        event("test", "sentry-cron-5986567d77-t2kpm", "Failed", "Error: couldn't find key postgresql-password in Secret test/my-postgresql", "2024-09-07T11:59:57Z"),
        // Another pod's event in the same namespace must not be taken for this one's.
        event("test", "sentry-snuba-outcomes-consumer-6c4bf67d4b-gjmqn", "Failed", 'Error: secret "sentry-snuba-env" not found', "2024-09-07T11:41:00Z")
      ])
    );
    expect(h.title).toBe("test/sentry-cron-5986567d77-t2kpm cannot start: Secret my-postgresql has no key postgresql-password (env POSTGRES_PASSWORD of container sentry-cron)");
    expect(h.confidence).toBe("high");
  });

  it("takes the latest failure when an older one was superseded (IBM/event-streams#11: `secrets … not found` early in the install, then the key)", () => {
    const h = top(
      sentry([
        event("test", "sentry-cron-5986567d77-t2kpm", "Failed", 'Error: secrets "my-postgresql" not found', "2024-09-07T11:30:00Z"),
        event("test", "sentry-cron-5986567d77-t2kpm", "Failed", "Error: couldn't find key postgresql-password in Secret test/my-postgresql", "2024-09-07T11:59:57Z")
      ])
    );
    expect(h.title).toContain("has no key postgresql-password");
  });

  it("names a missing ConfigMap of an init container from its event (rustyrazorblade/easy-db-lab#733)", () => {
    const h = top(
      investigate({
        at: "2026-07-08T12:00:00Z",
        labels: { namespace: "default", pod: "cassandra-stress-7xk2p" },
        pods: [
          pod(
            "default",
            "cassandra-stress-7xk2p",
            {
              initContainers: [{ name: "otel-sidecar", image: "otel/opentelemetry-collector-contrib", env: [{ name: "CLUSTER_NAME", valueFrom: { configMapKeyRef: { name: "cluster-config", key: "cluster_name" } } }] }],
              containers: [{ name: "stress", image: "cassandra-stress" }]
            },
            {
              initContainerStatuses: [{ name: "otel-sidecar", state: { waiting: { reason: "CreateContainerConfigError" } } }],
              containerStatuses: [{ name: "stress", state: { waiting: { reason: "PodInitializing" } } }]
            }
          )
        ],
        events: [event("default", "cassandra-stress-7xk2p", "Failed", 'Error: configmap "cluster-config" not found', "2026-07-08T11:58:00Z", { fieldPath: "spec.initContainers{otel-sidecar}" })]
      })
    );
    expect(h.title).toContain("ConfigMap cluster-config does not exist");
    expect(h.title).toContain("init container otel-sidecar");
  });
});

describe("a subPath whose directory does not exist", () => {
  it("names the subPath mount behind `stat …: no such file or directory` (kubernetes/kubernetes#66583)", () => {
    const h = top(
      investigate({
        at: "2018-07-25T10:00:00Z",
        labels: { namespace: "default", pod: "myapp-web-inf-5c9d8b7f4-x2x9z" },
        pods: [
          pod(
            "default",
            "myapp-web-inf-5c9d8b7f4-x2x9z",
            { containers: [{ name: "myapp-web", image: "image", volumeMounts: [{ name: "logs", mountPath: "/logs", subPath: "$(POD_NAME)" }] }], volumes: [{ name: "logs", hostPath: { path: "/logs/pods/" } }] },
            { containerStatuses: [{ name: "myapp-web", state: { waiting: { reason: "CreateContainerConfigError", message: "stat /logs/pods/: no such file or directory" } } }] }
          )
        ]
      })
    );
    expect(h.title).toContain("the directory behind its subPath mount /logs (volume logs, subPath $(POD_NAME): subPath does not expand $(VAR), subPathExpr does) does not exist");
    expect(h.title).toContain("stat /logs/pods/: no such file or directory");
  });
});

describe("the runtime's and the process's own words", () => {
  it("reads an init container's termination message from the runtime (kubernetes/kubernetes#77644)", () => {
    const h = top(
      investigate({
        at: "2019-05-09T07:05:00Z",
        labels: { namespace: "default", pod: "pi-with-ttl2-7xk2p" },
        pods: [
          pod(
            "default",
            "pi-with-ttl2-7xk2p",
            { initContainers: [{ name: "container-1", image: "ubuntu:latest", command: ["/binbash", "-c", "sleep 5"] }], containers: [{ name: "container0", image: "ubuntu:latest" }] },
            {
              initContainerStatuses: [
                {
                  name: "container-1",
                  restartCount: 5,
                  state: { waiting: { reason: "CrashLoopBackOff" } },
                  lastState: {
                    terminated: {
                      exitCode: 127,
                      reason: "ContainerCannotRun",
                      finishedAt: "2019-05-09T07:00:35Z",
                      message: 'OCI runtime create failed: container_linux.go:348: starting container process caused "exec: \\"/binbash\\": stat /binbash: no such file or directory": unknown'
                    }
                  }
                }
              ],
              containerStatuses: [{ name: "container0", state: { waiting: { reason: "PodInitializing" } } }]
            }
          )
        ]
      })
    );
    expect(h.title).toContain("/binbash");
    expect(h.title).toContain("does not exist in image ubuntu:latest");
    expect(h.title).toContain("no such file or directory");
  });

  it("reads a RunContainerError from the last state's StartError (vdesabou/kafka-docker-playground#8515)", () => {
    const h = top(
      investigate({
        at: "2026-07-21T16:00:00Z",
        labels: { namespace: "confluent", pod: "connect-0" },
        pods: [
          pod(
            "confluent",
            "connect-0",
            { containers: [{ name: "connect", image: "confluentinc/cp-server-connect" }] },
            {
              phase: "Running",
              containerStatuses: [
                {
                  name: "connect",
                  restartCount: 4,
                  state: { waiting: { reason: "RunContainerError" } },
                  lastState: {
                    terminated: {
                      reason: "StartError",
                      exitCode: 128,
                      finishedAt: "2026-07-21T15:57:17Z",
                      message: 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "": executable file not found in $PATH'
                    }
                  }
                }
              ]
            }
          )
        ]
      })
    );
    expect(h.title).toContain("neither image confluentinc/cp-server-connect nor the pod spec sets a command to run");
    expect(h.confidence).toBe("high");
  });

  it("quotes a termination message the process wrote (kubernetes/kubernetes#94216)", () => {
    const h = top(
      investigate({
        at: "2020-08-25T08:30:00Z",
        labels: { namespace: "rtf", pod: "mule-app-6c8d9f7b5-z7k2p" },
        pods: [
          pod(
            "rtf",
            "mule-app-6c8d9f7b5-z7k2p",
            { initContainers: [{ name: "init", image: "rtf-app-init:v1.0.22" }], containers: [{ name: "app", image: "mule-app" }] },
            {
              initContainerStatuses: [
                {
                  name: "init",
                  restartCount: 16,
                  state: { waiting: { reason: "CrashLoopBackOff" } },
                  lastState: { terminated: { reason: "Error", exitCode: 1, finishedAt: "2020-08-25T08:20:35Z", message: "Failed to fetch /opt/mule/conf/rtfv1.yml. statusCode=403" } }
                }
              ],
              containerStatuses: [{ name: "app", state: { waiting: { reason: "PodInitializing" } } }]
            }
          )
        ]
      })
    );
    expect(h.title).toBe("rtf/mule-app-6c8d9f7b5-z7k2p: init container init fails: Failed to fetch /opt/mule/conf/rtfv1.yml. statusCode=403");
    expect(h.confidence).toBe("high");
  });

  it("says a container that exits 0 is restarted by restartPolicy Always, with its command (kubernetes/kubernetes#53125)", () => {
    const h = top(
      investigate({
        at: "2017-09-27T08:40:00Z",
        labels: { namespace: "default", pod: "demo" },
        pods: [
          pod(
            "default",
            "demo",
            { restartPolicy: "Always", containers: [{ name: "command-demo", image: "nginx:1.10", command: ["echo"], args: ["$HOSTNAME"] }] },
            {
              phase: "Running",
              containerStatuses: [
                {
                  name: "command-demo",
                  restartCount: 24,
                  state: { waiting: { reason: "CrashLoopBackOff" } },
                  lastState: { terminated: { reason: "Completed", exitCode: 0, startedAt: "2017-09-27T08:37:50Z", finishedAt: "2017-09-27T08:38:00Z" } }
                }
              ]
            }
          )
        ]
      })
    );
    expect(h.title).toBe("default/demo keeps restarting: container command-demo's command `echo $HOSTNAME` completes (exit code 0) and restartPolicy Always starts it again");
  });
});

describe("OOM kills of a JVM whose heap does not fit the limit", () => {
  const kafka = (env: ReadonlyArray<{ name: string; value: string }>, limit: string) =>
    investigate({
      at: "2025-07-04T19:40:00Z",
      labels: { namespace: "jitsu", pod: "jitsu-kafka-controller-0" },
      pods: [
        {
          metadata: { name: "jitsu-kafka-controller-0", namespace: "jitsu", ownerReferences: [{ kind: "StatefulSet", name: "jitsu-kafka-controller", controller: true }] },
          spec: { nodeName: "node-1", containers: [{ name: "kafka", image: "docker.io/bitnami/kafka", env, resources: { limits: { memory: limit } } }] },
          status: {
            phase: "Running",
            containerStatuses: [
              { name: "kafka", ready: true, restartCount: 5, state: { running: { startedAt: "2025-07-04T19:32:00Z" } }, lastState: { terminated: { reason: "OOMKilled", exitCode: 137, startedAt: "2025-07-04T13:04:28Z", finishedAt: "2025-07-04T19:31:48Z" } } }
            ]
          }
        }
      ]
    });

  it("names the -Xmx larger than the limit (stafftastic/jitsu-chart#76)", () => {
    expect(top(kafka([{ name: "KAFKA_HEAP_OPTS", value: "-Xmx1024m" }], "768Mi")).title).toBe(
      "jitsu/jitsu-kafka-controller is OOMKilled: container kafka's JVM heap (-Xmx1024m in KAFKA_HEAP_OPTS) is larger than its 768Mi memory limit"
    );
  });

  it("names a heap that leaves no room for non-heap memory (virtualcell/vcell#1899: MaxRAMPercentage=80 of 2000Mi)", () => {
    expect(top(kafka([{ name: "JAVA_TOOL_OPTIONS", value: "-XX:MaxRAMPercentage=80" }], "2000Mi")).title).toContain("-XX:MaxRAMPercentage=80 in JAVA_TOOL_OPTIONS) takes 80% of its 2000Mi memory limit");
  });

  it("says only the limit when the heap fits", () => {
    expect(top(kafka([{ name: "KAFKA_HEAP_OPTS", value: "-Xmx512m" }], "1Gi")).title).toBe("jitsu/jitsu-kafka-controller is OOMKilled: container kafka exceeds its 1Gi memory limit");
  });
});

describe("a rollout that coincides with a crash", () => {
  const T = "2021-08-04T07:25:00Z";
  const deployment: Deployment = { metadata: { name: "kubewatch", namespace: "devtroncd" }, spec: { replicas: 1, selector: { matchLabels: { app: "kubewatch" } } }, status: { replicas: 2, readyReplicas: 1 } };
  const rs = (name: string, revision: string, image: string): ReplicaSet => ({
    metadata: { name, namespace: "devtroncd", creationTimestamp: "2021-08-04T07:00:00Z", annotations: { "deployment.kubernetes.io/revision": revision }, ownerReferences: [{ kind: "Deployment", name: "kubewatch", controller: true }] },
    spec: { template: { spec: { containers: [{ name: "kubewatch", image }] } } }
  });
  const ready = [{ type: "Ready", status: "True" }];
  const rollout = (log: string) =>
    investigate({
      at: T,
      labels: { namespace: "devtroncd", deployment: "kubewatch" },
      deployments: [deployment],
      replicasets: [rs("kubewatch-6b7f9c5d4", "1", "quay.io/devtron/kubewatch:old"), rs("kubewatch-7c8d9e6f5", "2", "quay.io/devtron/kubewatch:new")],
      pods: [
        pod("devtroncd", "kubewatch-6b7f9c5d4-h7k3m", { containers: [{ name: "kubewatch", image: "quay.io/devtron/kubewatch:old" }] }, { phase: "Running", conditions: ready, containerStatuses: [{ name: "kubewatch", ready: true, state: { running: { startedAt: "2021-08-04T06:00:00Z" } } }] }, "kubewatch-6b7f9c5d4"),
        pod(
          "devtroncd",
          "kubewatch-7c8d9e6f5-q2w8z",
          { containers: [{ name: "kubewatch", image: "quay.io/devtron/kubewatch:new" }] },
          { phase: "Running", containerStatuses: [{ name: "kubewatch", restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 2, finishedAt: "2021-08-04T07:23:00Z" } } }] },
          "kubewatch-7c8d9e6f5"
        )
      ],
      logs: [{ namespace: "devtroncd", pod: "kubewatch-7c8d9e6f5-q2w8z", container: "kubewatch", current: log }]
    });

  it("the old pod holding what the new one needs outranks 'the rollout broke it' (devtron-labs/devtron#627)", () => {
    const hypotheses = rollout(
      [
        'time="2021-08-04T07:23:00Z" level=info msg="Starting kubewatch controller" pkg=kubewatch-event',
        "2021/08/04 07:23:00 err stan: clientID already registered",
        "2021/08/04 07:23:00 errstan: clientID already registered",
        "panic: errstan: clientID already registered",
        "",
        "goroutine 1 [running]:",
        "log.Panic(0xc0004e38a0, 0x2, 0x2)",
        "\t/usr/local/go/src/log/log.go:351 +0xae"
      ].join("\n")
    );
    expect(top(hypotheses).title).toContain("clientID already registered");
    const rolloutClaim = hypotheses.find((h) => h.title.startsWith("Rollout of devtroncd/kubewatch"));
    expect(rolloutClaim?.confidence).toBe("medium");
    expect(rolloutClaim?.title).toContain("preceded the failure");
  });

  it("names the old pod's lock when the new Prometheus cannot open its storage (pipe-cd/pipecd#2348)", () => {
    // The line as Prometheus prints it, pasted in pipe-cd/pipecd#2348 and in kubectl logs of a CrashLoopBackOff prometheus-server.
    const hypotheses = rollout('ts=2022-05-13T23:29:02.926Z caller=main.go:1077 level=error err="opening storage failed: lock DB directory: resource temporarily unavailable"');
    expect(top(hypotheses).title).toMatch(/^New pods of devtroncd\/kubewatch fail while an old pod still runs/);
    expect(top(hypotheses).title).toContain("lock DB directory: resource temporarily unavailable");
    expect(top(hypotheses).actions?.some((a) => a.includes("Recreate"))).toBe(true);
  });

  it("does not blame the old pod for a lock refused by permissions (prometheus `lock DB directory: open /prometheus/lock: permission denied`)", () => {
    const hypotheses = rollout('ts=2025-10-09T21:54:40.310Z caller=main.go:1164 level=error err="opening storage failed: lock DB directory: open /prometheus/lock: permission denied"');
    expect(hypotheses.some((h) => h.title.startsWith("New pods of"))).toBe(false);
  });

  it("a crash's own error line, even one no signature knows, outranks the coinciding rollout (line from ethpandaops/contributoor-installer#6)", () => {
    const hypotheses = rollout('ERRO[0000] error loading config: proto: (line 1:54): unknown field "network"');
    expect(top(hypotheses).title).toContain('unknown field "network"');
    const rolloutClaim = hypotheses.find((h) => h.title.startsWith("Rollout of devtroncd/kubewatch"));
    expect(rolloutClaim?.confidence).toBe("medium");
    expect(rolloutClaim?.title).toContain("preceded the failure");
  });

  it("keeps the rollout first when the new version's crash is a defect of the program", () => {
    const h = top(
      rollout(["panic: runtime error: invalid memory address or nil pointer dereference", "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x8c1a2f]", "", "goroutine 1 [running]:", "main.loadConfig(...)"].join("\n"))
    );
    expect(h.title).toMatch(/^Rollout of devtroncd\/kubewatch to revision 2 broke it/);
    expect(h.confidence).toBe("high");
  });
});

describe("controllers that cannot create pods", () => {
  const rsEvents = (events: ReadonlyArray<Event>, pods: ReadonlyArray<Pod> = []) =>
    investigate({
      at: "2020-04-03T12:00:00Z",
      labels: { namespace: "kube-system", deployment: "kube-stresscheck" },
      deployments: [{ metadata: { name: "kube-stresscheck", namespace: "kube-system" }, spec: { replicas: 1 } }],
      replicasets: [
        {
          metadata: { name: "kube-stresscheck-7f75dbbcb7", namespace: "kube-system", creationTimestamp: "2020-04-03T11:49:00Z", annotations: { "deployment.kubernetes.io/revision": "1" }, ownerReferences: [{ kind: "Deployment", name: "kube-stresscheck", controller: true }] }
        }
      ],
      pods,
      events
    });

  it("names the missing ServiceAccount (giantswarm/kube-stresscheck#7)", () => {
    const h = top(
      rsEvents([
        event(
          "kube-system",
          "kube-stresscheck-7f75dbbcb7",
          "FailedCreate",
          'Error creating: pods "kube-stresscheck-7f75dbbcb7-" is forbidden: error looking up service account kube-system/kube-stresscheck: serviceaccount "kube-stresscheck" not found.',
          "2020-04-03T11:57:15Z",
          { kind: "ReplicaSet" }
        )
      ])
    );
    expect(h.title).toMatch(/^ServiceAccount kube-system\/kube-stresscheck does not exist/);
    // Calibration (round 6): which manifest was to create it stays open, so medium (see calibration.test.ts).
    expect(h.confidence).toBe("medium");
  });

  it("drops a FailedCreate the controller got past with a later SuccessfulCreate (kubernetes/kubernetes#47002)", () => {
    const hypotheses = rsEvents([
      event("kube-system", "kube-stresscheck-7f75dbbcb7", "FailedCreate", "Error creating: The POST operation against Pod could not be completed at this time, please try again.", "2020-04-03T11:56:00Z", { kind: "ReplicaSet" }),
      event("kube-system", "kube-stresscheck-7f75dbbcb7", "SuccessfulCreate", "Created pod: kube-stresscheck-7f75dbbcb7-x2x9z", "2020-04-03T11:57:00Z", { kind: "ReplicaSet", type: "Normal" })
    ]);
    expect(hypotheses.some((h) => h.title.includes("cannot create pods"))).toBe(false);
  });
});

describe("probe failures that restart a container", () => {
  const ns = "default";
  const probes = {
    ports: [
      { name: "http", containerPort: 6001 },
      { name: "metrics", containerPort: 9601 }
    ],
    livenessProbe: { httpGet: { path: "/live", port: "http", scheme: "HTTP" }, initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/up", port: "http", scheme: "HTTP" }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    startupProbe: { httpGet: { path: "/live", port: "http", scheme: "HTTP" }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 30 }
  };

  it("a startup probe on a path the server does not serve, with a clean log and no Killing event (sockudo/sockudo#273)", () => {
    const name = "sockudo-7c9d5b8f6d-m4x2q";
    const hypotheses = investigate({
      at: "2026-06-16T10:15:00Z",
      labels: { namespace: ns, pod: name },
      pods: [pod(ns, name, { containers: [{ name: "sockudo", image: "sockudo/sockudo:3.2.1", ...probes }] }, { phase: "Running", containerStatuses: [{ name: "sockudo", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } } }] })],
      events: [event(ns, name, "Unhealthy", "Startup probe failed: HTTP probe failed with statuscode: 404", "2026-06-16T10:14:40Z", { fieldPath: "spec.containers{sockudo}" })],
      logs: [{ namespace: ns, pod: name, container: "sockudo", current: "INFO Server init sequence completed.\nINFO Metrics server listening on http://0.0.0.0:9601\nINFO HTTP server listening on http://0.0.0.0:6001" }]
    });
    const h = top(hypotheses);
    expect(h.title).toContain("startup probe (GET /live on port http (6001))");
    expect(h.title).toContain("HTTP 404");
    expect(h.confidence).toBe("high");
    expect(h.detail).toContain("readiness probe calls GET /up on the same port");
  });

  it("a liveness probe's 404 with the kubelet's Killing event (llm-d/llm-d-inference-sim#45)", () => {
    const name = "vllm-standalone-3b-vllm-llama-3-3b-instruct-57c8d4996c-qtr8b";
    const container = "vllm-standalone-3b-vllm-llama-3-3b-instruct";
    const h = top(
      investigate({
        at: "2025-06-03T10:00:00Z",
        labels: { namespace: ns, pod: name },
        pods: [
          pod(
            ns,
            name,
            { containers: [{ name: container, image: "ghcr.io/llm-d/llm-d-inference-sim:v0.1.1", ports: [{ containerPort: 8000 }], livenessProbe: { httpGet: { path: "/health", port: 8000 } } }] },
            { phase: "Running", containerStatuses: [{ name: container, ready: false, restartCount: 6, state: { running: { startedAt: "2025-06-03T09:58:00Z" } }, lastState: { terminated: { reason: "Error", exitCode: 137, finishedAt: "2025-06-03T09:58:00Z" } } }] }
          )
        ],
        events: [
          event(ns, name, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404", "2025-06-03T09:57:50Z", { fieldPath: `spec.containers{${container}}` }),
          event(ns, name, "Killing", `Container ${container} failed liveness probe, will be restarted`, "2025-06-03T09:57:50Z", { fieldPath: `spec.containers{${container}}`, type: "Normal" })
        ]
      })
    );
    expect(h.title).toContain("liveness probe (GET /health on port 8000)");
    expect(h.title).toContain("does not serve /health (HTTP 404)");
    expect(h.confidence).toBe("high");
  });
});

describe("a crash whose words no signature knows", () => {
  const ns = "kube-system";
  const crashing = (name: string, container: string, env: ReadonlyArray<{ name: string; value?: string }> = []) =>
    pod(ns, name, { containers: [{ name: container, image: `example/${container}:1.0`, env }] }, { phase: "Running", containerStatuses: [{ name: container, restartCount: 7, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 1, finishedAt: "2026-04-24T21:30:21Z" } } }] });

  it("klog's fatal line wrapped over two lines is read whole (devantler-tech/ksail#4343)", () => {
    const name = "hcloud-cloud-controller-manager-7d9c5b6f4b-m2kqv";
    const h = top(
      investigate({
        at: "2026-04-24T21:35:00Z",
        labels: { namespace: ns, pod: name },
        pods: [crashing(name, "hcloud-cloud-controller-manager")],
        logs: [{ namespace: ns, pod: name, container: "hcloud-cloud-controller-manager", previous: "F0424 21:30:21.070421  1 main.go:67] Cloud provider could not be initialized:\n  hcloud/newCloud: Network default not found" }]
      })
    );
    expect(h.title).toBe("kube-system/hcloud-cloud-controller-manager-7d9c5b6f4b-m2kqv crashes on start: Cloud provider could not be initialized: hcloud/newCloud: Network default not found");
  });

  it("a plain error line becomes the cause at medium confidence (ethpandaops/contributoor-installer#6)", () => {
    const name = "contributoor-5d8f7c9b6-x2k4p";
    const h = top(
      investigate({
        at: "2026-04-24T21:35:00Z",
        labels: { namespace: ns, pod: name },
        pods: [crashing(name, "contributoor")],
        logs: [{ namespace: ns, pod: name, container: "contributoor", previous: 'ERRO[0000] error loading config: proto: (line 1:54): unknown field "network"' }]
      })
    );
    expect(h.title).toContain('after the error: ERRO[0000] error loading config: proto: (line 1:54): unknown field "network"');
    expect(h.confidence).toBe("medium");
  });
});

describe("a rollout that renamed the variable the crash asks for", () => {
  // AlverezYari/phillips-homelab#285: revision 31 moved SECRET_KEY_BASE into a Secret and renamed it RAILS_SECRET_KEY_BASE; Rails reads SECRET_KEY_BASE.
  const ns = "exchange";
  const rs = (name: string, revision: string, image: string, env: ReadonlyArray<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>): ReplicaSet => ({
    metadata: { name, namespace: ns, creationTimestamp: revision === "31" ? "2026-06-16T09:50:00Z" : "2026-06-10T09:00:00Z", annotations: { "deployment.kubernetes.io/revision": revision }, ownerReferences: [{ kind: "Deployment", name: "exchange-rails", controller: true }] },
    spec: { template: { spec: { containers: [{ name: "rails", image, env }] } } }
  });
  const oldEnv = [{ name: "RAILS_ENV", value: "prod_k8s" }, { name: "SECRET_KEY_BASE", value: "REDACTED" }];
  const newEnv = [{ name: "RAILS_ENV", value: "prod_k8s" }, { name: "RAILS_SECRET_KEY_BASE", valueFrom: { secretKeyRef: { name: "exchange-rails-secrets", key: "secret_key_base" } } }];
  const ready = [{ type: "Ready", status: "True" }];
  const log = "Missing `secret_key_base` for 'prod_k8s' environment (ArgumentError)\n  from /app/app/models/app_token.rb:2  (loaded during run_initializers)";

  it("names the renamed variable, and the rollout only preceded the failure", () => {
    const hypotheses = investigate({
      at: "2026-06-16T10:15:00Z",
      labels: { namespace: ns, deployment: "exchange-rails" },
      deployments: [{ metadata: { name: "exchange-rails", namespace: ns }, spec: { replicas: 5, selector: { matchLabels: { app: "exchange-rails" } } }, status: { replicas: 6, readyReplicas: 4 } }],
      replicasets: [rs("exchange-rails-6f8d9c7b5a", "30", "ghcr.io/alverezyari/exchange-rails:prev", oldEnv), rs("exchange-rails-7b4c8d9e6f", "31", "ghcr.io/alverezyari/exchange-rails:b9fb861", newEnv)],
      pods: [
        pod(ns, "exchange-rails-6f8d9c7b5a-a1b2c", { containers: [{ name: "rails", image: "ghcr.io/alverezyari/exchange-rails:prev", env: oldEnv }] }, { phase: "Running", conditions: ready, containerStatuses: [{ name: "rails", ready: true, state: { running: {} } }] }, "exchange-rails-6f8d9c7b5a"),
        pod(
          ns,
          "exchange-rails-7b4c8d9e6f-q2w3e",
          { containers: [{ name: "rails", image: "ghcr.io/alverezyari/exchange-rails:b9fb861", env: newEnv }] },
          { phase: "Running", containerStatuses: [{ name: "rails", restartCount: 18, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 1, finishedAt: "2026-06-16T10:21:09Z" } } }] },
          "exchange-rails-7b4c8d9e6f"
        )
      ],
      logs: [{ namespace: ns, pod: "exchange-rails-7b4c8d9e6f-q2w3e", container: "rails", previous: log }]
    });
    const h = top(hypotheses);
    expect(h.title).toContain("Missing `secret_key_base`");
    expect(h.title).toContain("the container sets RAILS_SECRET_KEY_BASE, not SECRET_KEY_BASE (revision 30 set SECRET_KEY_BASE");
    const rollout = hypotheses.find((x) => x.title.startsWith("Rollout of exchange/exchange-rails"));
    expect(rollout?.confidence).toBe("medium");
    expect(rollout?.detail).toContain("rails: removed env SECRET_KEY_BASE, added env RAILS_SECRET_KEY_BASE (from Secret exchange-rails-secrets key secret_key_base)");
  });
});

describe("round 3: what the status says, read whatever the kubelet's version", () => {
  it("reads a Kubernetes 1.7 waiting reason that is the kubelet's error text (GoogleCloudPlatform/continuous-deployment-on-kubernetes#89)", () => {
    // `kubectl describe pod` pasted in the thread: `State: Waiting / Reason: Couldn't find key options in Secret jenkins/jenkins`.
    const h = top(
      investigate({
        at: "2017-07-19T07:20:00Z",
        labels: { namespace: "jenkins", pod: "jenkins-1477518649-gjvmk" },
        pods: [
          pod(
            "jenkins",
            "jenkins-1477518649-gjvmk",
            { containers: [{ name: "master", image: "jenkinsci/jenkins:2.67" }] },
            { containerStatuses: [{ name: "master", image: "jenkinsci/jenkins:2.67", restartCount: 0, state: { waiting: { reason: "Couldn't find key options in Secret jenkins/jenkins" } } }] }
          )
        ]
      })
    );
    expect(h.title).toBe("jenkins/jenkins-1477518649-gjvmk cannot start: Secret jenkins has no key options");
    expect(h.confidence).toBe("high");
  });

  it("names the OOM-killed init container, and without a limit in the spec is not sure why (zendesk/samson#3381)", () => {
    // The status pasted in the PR: lastState.terminated exitCode 137 / reason OOMKilled, name secret-puller, restartCount 2.
    const h = top(
      investigate({
        at: "2019-05-29T19:00:00Z",
        labels: { namespace: "default", pod: "example-app-6c5d8f9b7-r5t2v" },
        pods: [
          pod(
            "default",
            "example-app-6c5d8f9b7-r5t2v",
            { initContainers: [{ name: "secret-puller", image: "registry.example.com/secret-puller:latest" }], containers: [{ name: "app", image: "registry.example.com/example-app:4f2c1d9" }] },
            {
              initContainerStatuses: [
                {
                  name: "secret-puller",
                  ready: false,
                  restartCount: 2,
                  state: { waiting: { reason: "CrashLoopBackOff" } },
                  lastState: { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: "2019-05-29T18:54:10Z", finishedAt: "2019-05-29T18:54:13Z" } }
                }
              ],
              containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
            }
          )
        ]
      })
    );
    expect(h.title).toContain("init container secret-puller");
    expect(h.title).toContain("OOMKilled");
    expect(h.confidence).toBe("medium");
  });
});
