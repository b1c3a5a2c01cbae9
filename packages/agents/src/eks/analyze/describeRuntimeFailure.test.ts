import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configReferences, parseConfigError, referencesTo } from "./describeConfigFailure.js";
import { describeRuntimeFailure, missingCommandText } from "./describeRuntimeFailure.js";

describe("describeRuntimeFailure reads the runtime's reason for not starting a process", () => {
  it("a command that does not exist (kubernetes/kubernetes#77644, moby/moby#38610)", () => {
    expect(describeRuntimeFailure('OCI runtime create failed: container_linux.go:348: starting container process caused "exec: \\"/binbash\\": stat /binbash: no such file or directory": unknown')).toEqual({
      kind: "command-missing",
      command: "/binbash",
      detail: 'exec: "/binbash": stat /binbash: no such file or directory'
    });
    expect(describeRuntimeFailure('container_linux.go:247: starting container process caused "exec: \\"./start.sh\\": stat ./start.sh: no such file or directory"')).toMatchObject({ kind: "command-missing", command: "./start.sh" });
  });

  it("a command not in $PATH, and no command at all (opencontainers/runc#4713, vdesabou/kafka-docker-playground#8515)", () => {
    expect(describeRuntimeFailure('runc create failed: unable to start container process: exec: "/cluster/kube-apiserver-operator": executable file not found in $PATH')).toMatchObject({
      kind: "command-missing",
      command: "/cluster/kube-apiserver-operator"
    });
    expect(
      describeRuntimeFailure('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "": executable file not found in $PATH')
    ).toEqual({ kind: "no-command", detail: 'exec: "": executable file not found in $PATH' });
  });

  it("exec format errors (canonical/microk8s#1942, kubearmor/KubeArmor#1101)", () => {
    expect(describeRuntimeFailure("standard_init_linux.go:219: exec user process caused: exec format error")).toEqual({ kind: "exec-format", detail: "exec user process caused: exec format error" });
    expect(describeRuntimeFailure("exec ./kube-rbac-proxy: exec format error")).toEqual({ kind: "exec-format", detail: "exec ./kube-rbac-proxy: exec format error" });
  });

  it("bind mounts of the wrong type or source (kubernetes/kubernetes#61545, abiosoft/caddy-docker#87)", () => {
    expect(
      describeRuntimeFailure(
        'container_linux.go:247: starting container process caused "process_linux.go:359: container init caused \\"rootfs_linux.go:54: mounting \\\\\\"/var/lib/kubelet/pods/ee4f5c4b-1d41-11e9-ad17-0a422bf36948/volume-subpaths/config/filebeat/0\\\\\\" to rootfs \\\\\\"/var/lib/docker/overlay2/45773094b37e/merged\\\\\\" at \\\\\\"/var/lib/docker/overlay2/45773094b37e/merged/etc/filebeat.yml\\\\\\" caused \\\\\\"no such file or directory\\\\\\"\\""'
      )
    ).toMatchObject({ kind: "mount", target: "/etc/filebeat.yml", reason: "no such file or directory" });
    expect(
      describeRuntimeFailure(
        'OCI runtime create failed: container_linux.go:296: starting container process caused "process_linux.go:398: container init caused \\"rootfs_linux.go:58: mounting \\\\\\"/root/Caddyfile\\\\\\" to rootfs \\\\\\"/var/lib/docker/overlay2/73d4fc495c82/merged\\\\\\" at \\\\\\"/var/lib/docker/overlay2/73d4fc495c82/merged/etc/Caddyfile\\\\\\" caused \\\\\\"not a directory\\\\\\"\\"": unknown: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type'
      )
    ).toMatchObject({ kind: "mount", source: "/root/Caddyfile", target: "/etc/Caddyfile", reason: "not a directory" });
  });

  it("a missing shell means an image without one (kubeflow/mpi-operator#254 and raffis/mongodb-query-exporter#25 on distroless)", () => {
    const f = describeRuntimeFailure('OCI runtime create failed: container_linux.go:346: starting container process caused "exec: \\"/bin/sh\\": stat /bin/sh: no such file or directory": unknown');
    expect(f).toMatchObject({ kind: "command-missing", command: "/bin/sh" });
    expect(missingCommandText("the command the pod spec sets", "/bin/sh", "gcr.io/distroless/base-debian10")).toBe(
      "image gcr.io/distroless/base-debian10 has no shell: the command the pod spec sets, /bin/sh, does not exist in it (a distroless or minimal image holds only its program)"
    );
    expect(missingCommandText("the command the pod spec sets", "/binbash", "ubuntu:latest")).toBe("the command the pod spec sets, /binbash, does not exist in image ubuntu:latest");
  });

  it("is silent on an application's own message (kubernetes/kubernetes#94216)", () => {
    expect(describeRuntimeFailure("Failed to fetch /opt/mule/conf/rtfv1.yml. statusCode=403")).toBeUndefined();
  });

  it("accepts any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const f = describeRuntimeFailure(text);
        if (f !== undefined) expect(f.detail.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 }
    );
  });
});

describe("parseConfigError and the spec's references", () => {
  it("reads the kubelet's wordings", () => {
    // sentry-kubernetes/charts#1433, keptn/lifecycle-toolkit#588, IBM/event-streams#11 (capitalised, plural), carlosedp/cluster-monitoring#21
    expect(parseConfigError("couldn't find key postgresql-password in Secret test/my-postgresql")).toEqual({ kind: "Secret", name: "my-postgresql", key: "postgresql-password" });
    expect(parseConfigError("Error: couldn't find key SECURE_DATA in Secret default/deno-demo-secret")).toEqual({ kind: "Secret", name: "deno-demo-secret", key: "SECURE_DATA" });
    expect(parseConfigError("Error: Couldn't find key eventstreams-eventsgreen-api-key in Secret streaming/eventsgreen-ibm-es-iam-secret")).toEqual({
      kind: "Secret",
      name: "eventsgreen-ibm-es-iam-secret",
      key: "eventstreams-eventsgreen-api-key"
    });
    expect(parseConfigError('Error: secrets "eventsgreen-ibm-es-oauth-secret" not found')).toEqual({ kind: "Secret", name: "eventsgreen-ibm-es-oauth-secret" });
    expect(parseConfigError('Error: secret "smtp-account" not found')).toEqual({ kind: "Secret", name: "smtp-account" });
    expect(parseConfigError('Error: configmap "cluster-config" not found')).toEqual({ kind: "ConfigMap", name: "cluster-config" });
  });

  it("finds which env var, envFrom or mounted volume refers to the missing object", () => {
    const pod = {
      metadata: { name: "p" },
      spec: {
        volumes: [
          { name: "certs", secret: { secretName: "tls" } },
          { name: "unused", configMap: { name: "other" } }
        ]
      }
    };
    const container = {
      name: "app",
      env: [{ name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "my-postgresql", key: "postgresql-password" } } }],
      envFrom: [{ configMapRef: { name: "app-env" } }],
      volumeMounts: [{ name: "certs", mountPath: "/certs" }]
    };
    const refs = configReferences(pod, container);
    expect(refs.map((r) => `${r.kind}/${r.name}/${r.via}`)).toEqual(["Secret/my-postgresql/env POSTGRES_PASSWORD", "ConfigMap/app-env/envFrom", "Secret/tls/volume certs"]);
    expect(referencesTo(refs, { kind: "Secret", name: "my-postgresql", key: "postgresql-password" }).map((r) => r.via)).toEqual(["env POSTGRES_PASSWORD"]);
    expect(referencesTo(refs, { kind: "Secret", name: "my-postgresql", key: "other" })).toEqual([]);
  });

  it("accepts any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const m = parseConfigError(text);
        if (m !== undefined) expect(text).toContain(m.name);
      }),
      { numRuns: 500 }
    );
  });
});
