import type { AgentResult } from "@sre-on-call/core";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { analyzeClusterDump } from "../analyzeClusterDump.js";
import type { Container, Node, Pod } from "../kube/KubeObjects.js";
import { ClusterFixture } from "../testing/ClusterFixture.js";
import { type ContainerStatusOptions, makeDeployment, makeNode, makePod, makeReplicaSet, running, terminated, waiting } from "../testing/kubeBuilders.js";
import { makeAlert } from "../testing/makeAlert.js";
import { withClusterDump } from "../testing/withClusterDump.js";

/*
 * The log analyzer over cluster dumps built around real log lines (each test names the thread the
 * line was pasted in). What is checked is the rule, not the case: the log a Kubernetes state
 * makes readable, how far that state lets the line be trusted, and what the pod spec adds.
 */

const T = Date.parse("2026-04-02T09:30:00Z");
const min = 60_000;
const NODE = "node-1";

interface Setup {
  readonly name: string;
  readonly status: ContainerStatusOptions;
  readonly log: { readonly current?: string; readonly previous?: string };
  readonly container?: Partial<Container>;
  readonly pod?: (pod: Pod) => Pod;
  readonly node?: (node: Node) => Node;
}

const investigate = async (s: Setup): Promise<AgentResult> => {
  const d = makeDeployment({ namespace: "shop", name: s.name, replicas: 1, createdAt: T - 30 * 86_400_000, containers: [{ name: s.name, image: `registry.example.com/${s.name}:1.0.0` }] });
  const rs = makeReplicaSet(d, { revision: 1, createdAt: T - 30 * 86_400_000, replicas: 1 });
  const base = makePod({ owner: rs, ownerKind: "ReplicaSet", ordinal: 0, node: NODE, createdAt: T - 20 * min, statuses: [s.status] });
  const withContainer: Pod = { ...base, spec: { ...base.spec, containers: (base.spec?.containers ?? []).map((c) => ({ ...c, ...s.container })) } };
  const pod = s.pod?.(withContainer) ?? withContainer;
  const node = makeNode(NODE, T, { ip: "10.0.1.10" });
  const f = new ClusterFixture()
    .addNodes(s.node?.(node) ?? node)
    .add("deployments", d)
    .add("replicasets", rs)
    .add("pods", pod)
    .addLog({ namespace: "shop", pod: pod.metadata.name, container: s.name, ...s.log });
  return withClusterDump(f, (dir) => Effect.runPromise(analyzeClusterDump(dir, makeAlert({ labels: { alertname: "KubePodCrashLooping", namespace: "shop", pod: pod.metadata.name }, at: T }))));
};

const crashLooping = (exitCode = 1): ContainerStatusOptions => ({
  ready: false,
  restartCount: 6,
  state: waiting("CrashLoopBackOff", "back-off 5m0s restarting failed container"),
  lastState: terminated("Error", exitCode, T - 2 * min)
});

describe("analyzeLogs: causes named by the signature catalog", () => {
  it("reads the current log of a container waiting in CrashLoopBackOff, the only copy of why it died", async () => {
    // bitnami/bitnami-docker-mariadb#132: `kubectl logs` of the crash-looping pod, no --previous pasted.
    const r = await investigate({
      name: "mariadb",
      status: crashLooping(),
      log: {
        current:
          "Welcome to the Bitnami mariadb container\n\nERROR ==> The MARIADB_ROOT_PASSWORD environment variable is empty or not set. Set the environment variable ALLOW_EMPTY_PASSWORD=yes to allow the container to be started with blank passwords. This is recommended only for development."
      }
    });
    expect(r.hypotheses[0]?.title).toContain("MARIADB_ROOT_PASSWORD");
    expect(r.hypotheses[0]?.title).toContain("crash-loops");
    expect(r.hypotheses[0]?.confidence).toBe("high");
  });

  it("a permission denied under a volume mount of a pod without fsGroup names the volume and fsGroup, at medium while the container only is not ready", async () => {
    // CrunchyData/crunchy-containers#616: Running, not ready, PVC mounted at /pgdata, no securityContext.
    const r = await investigate({
      name: "postgres",
      status: { ready: false, restartCount: 0, state: running(T - 10 * min) },
      log: { current: "mkdir: cannot create directory '/pgdata/primary-deployment': Permission denied\nchmod: cannot access '/pgdata/primary-deployment': No such file or directory\nprimary-deployment-3797989868-tpz57:5432 - no response" },
      container: { volumeMounts: [{ name: "pgdata", mountPath: "/pgdata" }] }
    });
    const h = r.hypotheses.find((x) => x.title.includes("/pgdata"));
    expect(h?.title).toMatch(/Permission denied/);
    expect(h?.title).toContain("fsGroup");
    expect(h?.confidence).toBe("medium");
  });

  it("a read-only file system under readOnlyRootFilesystem and no volume names the security context", async () => {
    // kube-rbac-proxy/kube-rbac-proxy#16: klog cannot create its log file in /tmp.
    const r = await investigate({
      name: "kube-rbac-proxy",
      status: crashLooping(255),
      log: {
        current:
          "I0925 11:08:52.535386       1 main.go:166] Generating self signed cert as no cert is provided\nlog: exiting because of error: log: cannot create log: open /tmp/kube-rbac-proxy.kube-state-metrics-6f84ccbb7d-k25x6.unknownuser.log.INFO.20180925-110852.1: read-only file system"
      },
      container: { securityContext: { readOnlyRootFilesystem: true } }
    });
    expect(r.hypotheses[0]?.title).toContain("read-only file system");
    expect(r.hypotheses[0]?.title).toContain("readOnlyRootFilesystem");
    expect(r.hypotheses[0]?.title).toContain("/tmp");
  });

  it("an RBAC refusal of the pod's service account is the cause, with the account the pod runs as (aws/amazon-vpc-cni-k8s#2796)", async () => {
    const r = await investigate({
      name: "aws-eks-nodeagent",
      status: crashLooping(),
      log: {
        previous:
          'W0215 09:17:02.372137       1 reflector.go:533] pkg/mod/k8s.io/client-go@v0.27.3/tools/cache/reflector.go:231: failed to list *v1alpha1.PolicyEndpoint: policyendpoints.networking.k8s.aws is forbidden: User "system:serviceaccount:kube-system:aws-node" cannot list resource "policyendpoints" in API group "networking.k8s.aws" at the cluster scope'
      },
      pod: (p) => ({ ...p, spec: { ...p.spec, serviceAccountName: "aws-node" } })
    });
    expect(r.hypotheses[0]?.title).toContain("the service account kube-system:aws-node may not list policyendpoints");
    expect(r.hypotheses[0]?.title).toContain("RBAC");
    expect(r.hypotheses[0]?.detail).toContain("service account aws-node");
  });

  it("a pod that names no service account is refused as its namespace's default one (vmware-archive/kubewatch#95)", async () => {
    const r = await investigate({
      name: "kubewatch",
      status: crashLooping(),
      log: {
        previous:
          'ERROR: logging before flag.Parse: E0418 04:56:17.489683       1 reflector.go:201] github.com/skippbox/kubewatch/pkg/controller/controller.go:147: Failed to list *v1.Pod: pods is forbidden: User "system:serviceaccount:default:default" cannot list pods at the cluster scope'
      }
    });
    expect(r.hypotheses[0]?.title).toContain("the pod sets no serviceAccountName");
  });

  it("exec format error names the node's CPU architecture", async () => {
    // canonical/microk8s#1942: an amd64-only image on a Raspberry Pi.
    const r = await investigate({
      name: "bootcamp",
      status: crashLooping(1),
      log: { current: "standard_init_linux.go:219: exec user process caused: exec format error" },
      node: (n) => ({ ...n, status: { ...n.status, nodeInfo: { architecture: "arm64", operatingSystem: "linux" } } })
    });
    expect(r.hypotheses[0]?.title).toContain("exec format error");
    expect(r.hypotheses[0]?.title).toContain("arm64");
  });

  it("a Spring exception is read to its innermost nested cause", async () => {
    // DickChesterwood/k8s-fleetman#53: the cause sits after `nested exception is`, past any title-length cut.
    const r = await investigate({
      name: "position-simulator",
      status: crashLooping(1),
      log: {
        current: [
          "2024-08-13 03:09:09.432 ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application startup failed",
          "",
          "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'journeySimulator': Injection of autowired dependencies failed; nested exception is java.lang.IllegalArgumentException: Could not resolve placeholder 'fleetman.position.queue' in string value \"${fleetman.position.queue}\"",
          "        at org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor.postProcessPropertyValues(AutowiredAnnotationBeanPostProcessor.java:355) ~[spring-beans-4.3.2.RELEASE.jar!/:4.3.2.RELEASE]"
        ].join("\n")
      }
    });
    expect(r.hypotheses[0]?.title).toContain("fleetman.position.queue");
    expect(r.hypotheses.filter((h) => h.confidence === "high").every((h) => h.title.includes("fleetman.position.queue"))).toBe(true);
  });

  it("errors in the log of a ready container that does not restart explain nothing alone: low confidence only", async () => {
    // coredns/coredns#4211: upstream HINFO probes time out while CoreDNS serves fine.
    const r = await investigate({
      name: "coredns",
      status: { ready: true, restartCount: 0, state: running(T - 60 * min) },
      log: {
        current:
          ".:53\n[INFO] plugin/reload: Running configuration MD5 = 4e235fcc3696966e76816bcd9034ebc7\nCoreDNS-1.6.7\nlinux/amd64, go1.13.6, da7f65b\n[ERROR] plugin/errors: 2 3797952284163317497.7063757873447144811. HINFO: read udp 192.168.209.17:36807->20.128.8.8:53: i/o timeout"
      }
    });
    expect(r.hypotheses.some((h) => h.confidence === "high")).toBe(false);
  });
});

describe("analyzeLogs: what the pod spec adds to the log's cause (round 3)", () => {
  it("a flag the binary does not define, behind its usage text, names the argument that passes it", async () => {
    // openshift/machine-api-operator#107: `oc logs` of the crash-looping controller (the usage, as pasted, up to `-v value`).
    const r = await investigate({
      name: "machine-controller",
      status: crashLooping(2),
      container: { args: ["--logtostderr=true", "--v=3", "--log-level=debug"] },
      log: {
        current: [
          "flag provided but not defined: -log-level",
          "Usage of /machine-controller-manager:",
          "  -alsologtostderr",
          "    \tlog to standard error as well as files",
          "  -kubeconfig string",
          "    \tPaths to a kubeconfig. Only required if out-of-cluster.",
          "  -log_backtrace_at value",
          "    \twhen logging hits line file:N, emit a stack trace",
          "  -log_dir string",
          "    \tIf non-empty, write log files in this directory",
          "  -logtostderr",
          "    \tlog to standard error instead of files",
          "  -master string",
          "    \tThe address of the Kubernetes API server. Overrides any value in kubeconfig. Only required if out-of-cluster.",
          "  -stderrthreshold value",
          "    \tlogs at or above this threshold go to stderr",
          "  -v value",
          "    \tlog level for V logs"
        ].join("\n")
      }
    });
    const h = r.hypotheses[0];
    expect(h?.title).toContain("-log-level");
    expect(h?.title).toContain("flag provided but not defined");
    expect(h?.title).toContain("the container's args pass --log-level=debug");
    // The usage text after the error is the parser's help, not later events: the line stays the process's last word.
    expect(h?.confidence).toBe("high");
  });

  it("a rejected database login names where the password comes from, at medium (devantler-tech/platform#1635)", async () => {
    // The log line quoted in the PR; the PR says FLEET_MYSQL_PASSWORD came from Secret mysql, key mysql-password.
    const r = await investigate({
      name: "fleet-vulnprocessing",
      status: crashLooping(1),
      container: {
        env: [
          { name: "FLEET_MYSQL_ADDRESS", value: "mysql:3306" },
          { name: "FLEET_MYSQL_USERNAME", value: "fleet" },
          { name: "FLEET_MYSQL_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql", key: "mysql-password" } } },
          { name: "FLEET_REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "redis-password" } } }
        ]
      },
      log: { current: `level=warn msg="could not connect to db" cron=vulnerabilities err="Error 1045 (28000): Access denied for user 'fleet'@'10.244.1.222' (using password: YES)"` }
    });
    const h = r.hypotheses[0];
    expect(h?.title).toContain("Access denied");
    expect(h?.title).toContain("FLEET_MYSQL_PASSWORD (Secret mysql, key mysql-password)");
    expect(h?.title).not.toContain("FLEET_REDIS_PASSWORD");
    expect(h?.confidence).toBe("medium");
  });
});
