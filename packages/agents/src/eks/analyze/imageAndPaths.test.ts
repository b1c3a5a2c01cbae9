import { describe, expect, it } from "vitest";
import type { Pod } from "../kube/KubeObjects.js";
import { hypothesesFor } from "../testing/investigateObjects.js";

const crashing = (namespace: string, name: string, container: { name: string; image: string; volumeMounts?: ReadonlyArray<{ name: string; mountPath: string }> }): Pod => ({
  metadata: { name, namespace, labels: { app: container.name } },
  spec: { containers: [{ ...container, volumeMounts: [...(container.volumeMounts ?? [])] }] },
  status: { phase: "Running", containerStatuses: [{ name: container.name, ready: false, restartCount: 6, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2022-01-10T10:00:00Z" } } }] }
});
const top = (pod: Pod, log: string) =>
  hypothesesFor({ pods: [pod] }, { alertname: "KubePodCrashLooping", namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name }, "2022-01-10T10:05:00Z", [
    { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name, container: pod.spec?.containers?.[0]?.name ?? "", previous: log }
  ])[0];

describe("a runtime that cannot find its own code: the image (fluent/fluentd-kubernetes-daemonset#1336)", () => {
  it("names the image", () => {
    const log = [
      "/usr/local/lib/ruby/2.7.0/rubygems.rb:277:in `find_spec_for_exe': can't find gem fluentd (>= 0.a) with executable fluent-gem (Gem::GemNotFoundException)",
      "    from /usr/local/lib/ruby/2.7.0/rubygems.rb:296:in `activate_bin_path'",
      "    from /usr/local/bundle/bin/fluent-gem:23:in `<main>'"
    ].join("\n");
    const h = top(crashing("logging", "fluentd-x2x9z", { name: "fluentd", image: "fluent/fluentd-kubernetes-daemonset:v1.14.5-debian-elasticsearch7-1.0" }), log);
    expect(h?.title).toContain("the image fluent/fluentd-kubernetes-daemonset:v1.14.5-debian-elasticsearch7-1.0 lacks it");
  });

  it("says nothing of the image for an error that is not missing code", () => {
    const h = top(crashing("logging", "fluentd-x2x9z", { name: "fluentd", image: "fluent/fluentd:v1.14" }), "panic: runtime error: index out of range [3] with length 3");
    expect(h?.title ?? "").not.toContain("lacks it");
  });
});

describe("a path the process may not write that lies on no volume (argoproj-labs/argocd-operator#186)", () => {
  const log = 'time="2020-10-14T11:48:10Z" level=info msg="Initializing GnuPG keyring at /app/config/gpg/keys"\ntime="2020-10-14T11:48:10Z" level=fatal msg="stat /app/config/gpg/keys/trustdb.gpg: permission denied"';
  it("says no volume is mounted there", () => {
    const h = top(crashing("argocd", "argocd-repo-server-7d9f8b6c5-x2x9z", { name: "argocd-repo-server", image: "argoproj/argocd:v1.7.7", volumeMounts: [{ name: "ssh-known-hosts", mountPath: "/app/config/ssh" }] }), log);
    expect(h?.title).toContain("no volume is mounted at /app/config/gpg/keys: it writes into the image's own files");
  });

  it("names the volume instead when one is mounted there", () => {
    const h = top(crashing("argocd", "argocd-repo-server-7d9f8b6c5-x2x9z", { name: "argocd-repo-server", image: "argoproj/argocd:v1.7.7", volumeMounts: [{ name: "gpg-keyring", mountPath: "/app/config/gpg/keys" }] }), log);
    expect(h?.title ?? "").not.toContain("no volume is mounted");
    expect(h?.title).toContain("volume gpg-keyring");
  });
});

describe("a file of the image a non-root user may not open (mendhak/docker-http-https-echo#14)", () => {
  it("names the user and the file", () => {
    const p: Pod = { ...crashing("e2e", "http-echo-5f7c9d8b6-m4q8t", { name: "http-echo", image: "mendhak/http-https-echo:17" }) };
    const nonRoot: Pod = { ...p, spec: { ...p.spec, securityContext: { runAsNonRoot: true, runAsUser: 1000 } } };
    const h = top(nonRoot, "internal/fs/utils.js:308\n    throw err;\n    ^\nError: EACCES: permission denied, open 'privkey.pem'\n    at Object.openSync (fs.js:476:3)");
    expect(h?.title).toContain("it runs as user 1000 (non-root securityContext), and privkey.pem in the image belongs to another owner");
  });
});

describe("a port already in use on the node's network (projectcontour/contour#4343)", () => {
  const exporter = (namespace: string, name: string): Pod => ({
    metadata: { name, namespace, labels: { app: name.replace(/-[a-z0-9]{5}$/, "") } },
    spec: { nodeName: "ip-10-0-1-11.ec2.internal", hostNetwork: true, containers: [{ name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.3.1", ports: [{ containerPort: 9100, hostPort: 9100, name: "metrics", protocol: "TCP" }] }] },
    status: { phase: "Running" }
  });
  it("names the pod in another namespace that holds it", () => {
    const mine: Pod = {
      ...exporter("projectcontour-monitoring", "prometheus-node-exporter-vpc7z"),
      status: { phase: "Running", containerStatuses: [{ name: "node-exporter", ready: false, restartCount: 9, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2022-01-10T10:00:00Z" } } }] }
    };
    const hs = hypothesesFor({ pods: [mine, exporter("monitoring", "node-exporter-7xk2p")] }, { alertname: "KubePodCrashLooping", namespace: "projectcontour-monitoring", pod: mine.metadata.name }, "2022-01-10T10:05:00Z", [
      { namespace: "projectcontour-monitoring", pod: mine.metadata.name, container: "node-exporter", previous: 'level=error ts=2022-01-10T10:00:00Z caller=node_exporter.go:202 err="listen tcp :9100: bind: address already in use"' }
    ]);
    expect(hs[0]?.title).toContain("port 9100 on node ip-10-0-1-11.ec2.internal is already held by monitoring/node-exporter-7xk2p (in another namespace)");
  });
});
