import { describe, expect, it } from "vitest";
import type { Container, Pod, SecurityContext } from "../kube/KubeObjects.js";
import { ownershipRefused } from "./ownershipRefused.js";
import type { ContainerOfPod } from "./podFacts.js";

const of = (podContext: SecurityContext | undefined, container: Container): ContainerOfPod => {
  const pod: Pod = { metadata: { name: "p", namespace: "n" }, spec: { ...(podContext !== undefined ? { securityContext: podContext } : {}), initContainers: [container] } };
  return { pod, name: container.name ?? "", init: true, status: { name: container.name ?? "" }, spec: container };
};

describe("ownershipRefused: a chown the kernel refused, and why the security context makes it so", () => {
  it("root with every capability dropped (helm/charts#10453: Grafana's init-chown-data under a PSP that drops ALL)", () => {
    const c = of({ runAsUser: 472, fsGroup: 472 }, { name: "init-chown-data", command: ["chown", "-R", "472:472", "/var/lib/grafana"], securityContext: { runAsUser: 0, capabilities: { drop: ["ALL"] } } });
    const r = ownershipRefused(c, "chown: /var/lib/grafana/lost+found: Operation not permitted\nchown: /var/lib/grafana: Operation not permitted");
    expect(r).toMatchObject({ command: "chown", path: "/var/lib/grafana/lost+found" });
    expect(r?.why).toContain("drops capabilities ALL (CAP_CHOWN among them)");
  });

  it("a user other than root from the pod (minio/operator#660: runAsUser 65534, runAsNonRoot)", () => {
    const c = of({ runAsUser: 65534, runAsNonRoot: true, runAsGroup: 65534 }, { name: "prometheus-init-chown-data", command: ["chown", "-R", "65534:65534", "/prometheus"] });
    expect(ownershipRefused(c, "chown: /prometheus: Operation not permitted")?.why).toBe(
      "it runs as user 65534 (runAsUser in the pod's securityContext, with runAsNonRoot), and only root with CAP_CHOWN may give files to another owner"
    );
  });

  it("the line as pasted without its colons (kongz/charts#158: graylog's setup init container runs as 1100 with ALL dropped)", () => {
    const c = of(undefined, { name: "setup", securityContext: { runAsNonRoot: true, runAsUser: 1100, runAsGroup: 1100, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } });
    expect(ownershipRefused(c, "chown /usr/share/graylog/data Operation not permitted")).toMatchObject({ path: "/usr/share/graylog/data", why: expect.stringContaining("runs as user 1100 (runAsUser in the container's securityContext, with runAsNonRoot)") });
  });

  it("GNU's wording, a capability added back, and a spec that says nothing", () => {
    const gnu = "chown: changing ownership of '/data/db': Operation not permitted";
    expect(ownershipRefused(of(undefined, { name: "c" }), gnu)).toEqual({ command: "chown", path: "/data/db" });
    const addedBack = of(undefined, { name: "c", securityContext: { runAsUser: 0, capabilities: { drop: ["ALL"], add: ["CHOWN"] } } });
    expect(ownershipRefused(addedBack, gnu)?.why).toBeUndefined();
    expect(ownershipRefused(of(undefined, { name: "c", securityContext: { capabilities: { drop: ["CAP_CHOWN"] } } }), gnu)?.why).toContain("CAP_CHOWN among them");
    expect(ownershipRefused(of(undefined, { name: "c" }), "mkdir: cannot create directory '/data': Permission denied")).toBeUndefined();
  });
});
