import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCreateFailure } from "./parseCreateFailure.js";

describe("parseCreateFailure", () => {
  it("reads ResourceQuota rejections through the controllers' wrapping", () => {
    // ministryofjustice/cloud-platform#590 (kubectl get events, ReplicaSet)
    expect(
      parseCreateFailure(
        '(combined from similar events): Error creating: pods "allocation-manager-6597bc46dc-2wm8j" is forbidden: exceeded quota: namespace-quota, requested: limits.cpu=1,limits.memory=2Gi, used: limits.cpu=6,limits.memory=12Gi, limited: limits.cpu=6,limits.memory=12Gi'
      )
    ).toEqual({
      kind: "quota",
      quota: "namespace-quota",
      resources: [
        { resource: "limits.cpu", requested: "1", used: "6", limited: "6" },
        { resource: "limits.memory", requested: "2Gi", used: "12Gi", limited: "12Gi" }
      ]
    });
    // veryfront/veryfront-code#168: milli-cores in the used figure.
    expect(parseCreateFailure('Error creating: pods "veryfront-renderer-6f7989d755-mrnq5" is forbidden: exceeded quota: resource-quota, requested: limits.cpu=3, used: limits.cpu=21500m, limited: limits.cpu=24')).toMatchObject({
      kind: "quota",
      quota: "resource-quota",
      resources: [{ resource: "limits.cpu", requested: "3", used: "21500m", limited: "24" }]
    });
    // m3o/backend#378 (ReplicaSet) and hmcts/cnp-flux-config#13765 (StatefulSet wording): the quota demands declared resources.
    expect(parseCreateFailure('Error creating: pods "helloworld-latest-6b78556b99-mcpwh" is forbidden: failed quota: quota: must specify limits.cpu,limits.memory,requests.cpu,requests.memory')).toEqual({
      kind: "quota-must-specify",
      quota: "quota",
      resources: ["limits.cpu", "limits.memory", "requests.cpu", "requests.memory"]
    });
    expect(
      parseCreateFailure('create Pod fpl-case-service-pr-3308-es-master-0 in StatefulSet fpl-case-service-pr-3308-es-master failed error: pods "fpl-case-service-pr-3308-es-master-0" is forbidden: failed quota: fpl-quota: must specify requests.cpu,requests.memory')
    ).toEqual({ kind: "quota-must-specify", quota: "fpl-quota", resources: ["requests.cpu", "requests.memory"] });
  });

  it("reads LimitRange violations and unwraps anything else", () => {
    // zalando-incubator/kubernetes-on-aws#278
    expect(parseCreateFailure('Error creating: pods "hjacobs-test-1668339668-" is forbidden: maximum cpu usage per Container is 16, but request is 17.')).toEqual({
      kind: "limit-range",
      violations: ["maximum cpu usage per Container is 16, but request is 17"]
    });
    // giantswarm/kube-stresscheck#7: the API server's own reason, without the controller's words.
    expect(parseCreateFailure('Error creating: pods "kube-stresscheck-7f75dbbcb7-" is forbidden: error looking up service account kube-system/kube-stresscheck: serviceaccount "kube-stresscheck" not found')).toEqual({
      kind: "other",
      message: 'error looking up service account kube-system/kube-stresscheck: serviceaccount "kube-stresscheck" not found'
    });
  });

  it("reads Pod Security admission rejections: the level and each check (redhat-developer/odo#6847, hyperspike/valkey-operator#260)", () => {
    expect(
      parseCreateFailure(
        'Error creating: pods "nodejs-app-8665bd77fb-2dd4n" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "runtime" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "runtime" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "runtime" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "runtime" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
      )
    ).toEqual({
      kind: "pod-security",
      level: "restricted",
      version: "latest",
      violations: [
        { check: "allowPrivilegeEscalation != false", detail: 'container "runtime" must set securityContext.allowPrivilegeEscalation=false' },
        { check: "unrestricted capabilities", detail: 'container "runtime" must set securityContext.capabilities.drop=["ALL"]' },
        { check: "runAsNonRoot != true", detail: 'pod or container "runtime" must set securityContext.runAsNonRoot=true' },
        { check: "seccompProfile", detail: 'pod or container "runtime" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"' }
      ]
    });
    // The StatefulSet's wording, pasted over several lines.
    const sts = parseCreateFailure(
      'create Pod keyval-0 in StatefulSet keyval failed error: pods "keyval-0" is forbidden: violates PodSecurity "restricted:latest": \nallowPrivilegeEscalation != false (container "volume-permissions" must set securityContext.allowPrivilegeEscalation=false), \nunrestricted capabilities (container "volume-permissions" must set securityContext.capabilities.drop=["ALL"]), \nrunAsNonRoot != true (pod or container "volume-permissions" must set securityContext.runAsNonRoot=true), \nrunAsUser=0 (container "volume-permissions" must not set runAsUser=0),\nseccompProfile (pod or container "volume-permissions" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
    );
    expect(sts.kind === "pod-security" ? sts.violations.map((v) => v.check) : []).toEqual(["allowPrivilegeEscalation != false", "unrestricted capabilities", "runAsNonRoot != true", "runAsUser=0", "seccompProfile"]);
  });

  it("accepts any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseCreateFailure(text);
        expect(["quota", "quota-must-specify", "limit-range", "pod-security", "other"]).toContain(parsed.kind);
      })
    );
    fc.assert(
      fc.property(fc.constantFrom("exceeded quota: q, requested: ", "failed quota: q: must specify ", "maximum cpu usage per Container is ", 'violates PodSecurity "restricted:latest": '), fc.string({ maxLength: 80 }), (head, tail) => {
        parseCreateFailure(`Error creating: pods "x" is forbidden: ${head}${tail}`);
      })
    );
  });
});
