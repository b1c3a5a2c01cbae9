export type CreateFailure =
  | {
      readonly kind: "quota";
      readonly quota: string;
      /** `limits.memory=1Gi` → requested, used, limited per resource. */
      readonly resources: ReadonlyArray<{ readonly resource: string; readonly requested?: string; readonly used?: string; readonly limited?: string }>;
    }
  /** A quota on compute resources rejects pods that do not declare them: `failed quota: q: must specify limits.cpu,…`. */
  | { readonly kind: "quota-must-specify"; readonly quota: string; readonly resources: ReadonlyArray<string> }
  | { readonly kind: "limit-range"; readonly violations: ReadonlyArray<string> }
  /**
   * Pod Security admission: the namespace enforces a level the pod breaks, `violates PodSecurity
   * "restricted:latest": allowPrivilegeEscalation != false (container "x" must set …), …`.
   */
  | { readonly kind: "pod-security"; readonly level: string; readonly version: string; readonly violations: ReadonlyArray<{ readonly check: string; readonly detail?: string }> }
  /** `message` is the API server's reason without the controller's wrapping. */
  | { readonly kind: "other"; readonly message: string };

const pairs = (text: string | undefined): Map<string, string> =>
  new Map(
    (text ?? "")
      .split(",")
      .map((p) => p.trim().split("="))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== undefined && kv[1] !== undefined)
  );

/**
 * What the controllers wrap around the API server's answer: `(combined from similar events): `,
 * `Error creating: pods "x" is forbidden: ` (ReplicaSet, Job), `create Pod x in StatefulSet y
 * failed error: pods "x" is forbidden: ` (StatefulSet).
 */
const unwrap = (message: string): string =>
  message
    .trim()
    .replace(/^\(combined from similar events\):\s*/i, "")
    .replace(/^Error creating:\s*/i, "")
    .replace(/^create Pod \S+ in StatefulSet \S+ failed error:\s*/i, "")
    .replace(/^pods? (?:"[^"]*"|\S+) is forbidden:\s*/i, "");

/**
 * Reads a controller's FailedCreate message: a ResourceQuota rejection (`exceeded quota: q,
 * requested: limits.memory=1Gi, used: …, limited: …`, or `failed quota: q: must specify
 * limits.cpu,…`), a LimitRange one (`maximum memory usage per Container is 1Gi, but limit is
 * 2Gi`), or anything else unwrapped.
 */
export const parseCreateFailure = (message: string): CreateFailure => {
  const text = unwrap(message);
  const quota = /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: (.*?)$/i.exec(text);
  if (quota !== null) {
    const requested = pairs(quota[2]);
    const used = pairs(quota[3]);
    const limited = pairs(quota[4]);
    const resources = [...requested.keys()].map((resource) => ({
      resource,
      ...(requested.get(resource) !== undefined ? { requested: requested.get(resource) ?? "" } : {}),
      ...(used.get(resource) !== undefined ? { used: used.get(resource) ?? "" } : {}),
      ...(limited.get(resource) !== undefined ? { limited: limited.get(resource) ?? "" } : {})
    }));
    return { kind: "quota", quota: (quota[1] ?? "").trim(), resources };
  }
  const specify = /failed quota: ([^:]+): must specify ([\w.\-/,\s]+?)\.?$/i.exec(text);
  if (specify !== null)
    return {
      kind: "quota-must-specify",
      quota: (specify[1] ?? "").trim(),
      resources: (specify[2] ?? "")
        .split(",")
        .map((r) => r.trim())
        .filter((r) => r !== "")
    };
  const podSecurity = /violates PodSecurity "([\w-]+):([\w.-]+)": (.*)$/s.exec(text);
  if (podSecurity !== null) {
    // `check (detail), check (detail)`: the details hold commas and quotes, so split on the parentheses.
    const checks: Array<{ check: string; detail?: string }> = [];
    const rest = podSecurity[3] ?? "";
    let depth = 0;
    let start = 0;
    for (let i = 0; i <= rest.length; i++) {
      const ch = rest[i];
      if (ch === "(") depth++;
      else if (ch === ")") depth = Math.max(0, depth - 1);
      else if ((ch === "," && depth === 0) || i === rest.length) {
        const part = rest.slice(start, i).trim();
        start = i + 1;
        if (part === "") continue;
        const m = /^(.*?)\s*\((.*)\)$/s.exec(part);
        checks.push(m !== null ? { check: (m[1] ?? "").trim(), detail: (m[2] ?? "").trim() } : { check: part });
      }
    }
    return { kind: "pod-security", level: podSecurity[1] ?? "", version: podSecurity[2] ?? "", violations: checks };
  }
  const violations = [...text.matchAll(/((?:maximum|minimum) \S+ usage per (?:Container|Pod) is [^,\]]+, but (?:limit|request) is [^,\]]+?|\S+ max limit to request ratio per (?:Container|Pod) is [^,\]]+?)\.?(?=[,\]]|$)/g)].map((m) => m[1] ?? "");
  if (violations.length > 0) return { kind: "limit-range", violations };
  return { kind: "other", message: text };
};
