export type CreateFailure =
  | {
      readonly kind: "quota";
      readonly quota: string;
      /** `limits.memory=1Gi` → requested, used, limited per resource. */
      readonly resources: ReadonlyArray<{ readonly resource: string; readonly requested?: string; readonly used?: string; readonly limited?: string }>;
    }
  | { readonly kind: "limit-range"; readonly violations: ReadonlyArray<string> }
  | { readonly kind: "other"; readonly message: string };

const pairs = (text: string | undefined): Map<string, string> =>
  new Map(
    (text ?? "")
      .split(",")
      .map((p) => p.trim().split("="))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== undefined && kv[1] !== undefined)
  );

/**
 * Reads a ReplicaSet/StatefulSet FailedCreate message: a ResourceQuota rejection
 * (`exceeded quota: q, requested: limits.memory=1Gi, used: …, limited: …`), a LimitRange one
 * (`maximum memory usage per Container is 1Gi, but limit is 2Gi`), or anything else verbatim.
 */
export const parseCreateFailure = (message: string): CreateFailure => {
  const quota = /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: (.*?)$/.exec(message.trim());
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
  const violations = [...message.matchAll(/((?:maximum|minimum) \w+ usage per (?:Container|Pod) is [^,\]]+, but (?:limit|request) is [^,\]]+|\w+ max limit to request ratio per Container is [^,\]]+)/g)].map((m) => m[1] ?? "");
  if (violations.length > 0) return { kind: "limit-range", violations };
  return { kind: "other", message: message.trim() };
};
