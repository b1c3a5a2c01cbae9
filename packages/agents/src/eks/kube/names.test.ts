import { join, relative, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isKubeName, type KubeNameKind, kubeNameProblem } from "./names.js";

const KINDS: ReadonlyArray<KubeNameKind> = ["namespace", "container", "pod", "node"];

describe("Kubernetes names", () => {
  it("accepts what the API server accepts, per kind", () => {
    for (const name of ["payments", "kube-system", "a", "0", "x".repeat(63)]) expect(isKubeName("namespace", name)).toBe(true);
    for (const name of ["payments-db-0", "api-5cnt4ql7wf-vt7kg", "ip-10-0-1-23.eu-west-1.compute.internal", `${"a".repeat(63)}.${"b".repeat(63)}`]) {
      expect(isKubeName("pod", name)).toBe(true);
      expect(isKubeName("node", name)).toBe(true);
    }
    expect(isKubeName("namespace", "x".repeat(64))).toBe(false);
    expect(isKubeName("pod", "x".repeat(254))).toBe(false);
    expect(isKubeName("namespace", "kube.system")).toBe(false);
    expect(isKubeName("container", "app.v2")).toBe(false);
    for (const name of ["", ".", "..", "-a", "a-", "A", "a..b", ".a", "a.", "a/b", "a\u0000", "%2e%2e", "a\\b", "ä"]) {
      for (const kind of KINDS) expect(isKubeName(kind, name), `${kind} ${JSON.stringify(name)}`).toBe(false);
    }
  });

  it("says what is wrong with the value shown as JSON, so control characters are visible", () => {
    expect(kubeNameProblem("namespace", "payments")).toBeUndefined();
    expect(kubeNameProblem("namespace", "../\u0000x")).toBe(
      `"../\\u0000x" is not a valid Kubernetes namespace name (an RFC 1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`
    );
    expect(kubeNameProblem("pod", "y".repeat(500))?.length).toBeLessThan(300);
  });

  it("property: a valid name is one path segment that stays inside any directory", () => {
    const root = join(sep, "dump");
    const alphabet = fc.constantFrom(..."ab0-./\\%\u0000:~ A".split(""));
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.oneof(fc.string({ unit: alphabet, maxLength: 12 }), fc.string({ maxLength: 40 })), (kind, name) => {
        if (!isKubeName(kind, name)) return;
        const path = join(root, name, "pods.json");
        expect(relative(root, path)).toBe(join(name, "pods.json"));
        expect(name).not.toMatch(/[/\\%\u0000]|^\.{1,2}$|\.\./);
      }),
      { numRuns: 2_000 }
    );
  });
});
