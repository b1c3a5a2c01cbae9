import { REDACTED, type RedactOptions, redactSecrets } from "@sre-on-call/core";

const MAX_DEPTH = 8;
const MAX_NODES = 2_000;
const MAX_STRING = 8_192;
/** Keys whose string values are credentials whatever they look like. */
const SECRET_KEY = /(?:password|passwd|secret|authorization|cookie|api[_-]?key|access[_-]?token|auth[_-]?token|bot[_-]?token|refresh[_-]?token|session[_-]?token|^token)$/i;

/**
 * Log fields as plain JSON-safe data: cycles become "[Circular]", bigints strings, errors
 * `{ name, message }`, functions and symbols dropped, depth, size and long strings bounded —
 * every string passed through the core's secret redaction (`redactSecrets`, string by string as
 * `redactDeep` does, but in this one cycle-safe walk that also keeps a `__proto__` key a plain
 * field), and the values of credential-named keys replaced outright. Never throws.
 */
export const sanitizeFields = (fields: Readonly<Record<string, unknown>>, options: RedactOptions = {}): Record<string, unknown> => {
  let nodes = 0;
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (++nodes > MAX_NODES) return "[Truncated]";
    switch (typeof v) {
      case "string":
        return redactSecrets(v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v, options);
      case "number":
        return Number.isFinite(v) ? v + 0 : String(v);
      case "boolean":
        return v;
      case "bigint":
        return v.toString();
      case "undefined":
      case "function":
      case "symbol":
        return undefined;
    }
    if (v === null) return null;
    const o = v as object;
    if (ancestors.has(o)) return "[Circular]";
    if (depth >= MAX_DEPTH) return "[Truncated]";
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? "Invalid Date" : o.toISOString();
    if (o instanceof Error) return { name: o.name, message: walk(o.message, depth + 1) };
    ancestors.add(o);
    try {
      if (Array.isArray(o)) return o.map((x) => walk(x, depth + 1) ?? null);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) {
        const value = walk(x, depth + 1);
        if (value === undefined) continue;
        // defineProperty, so a "__proto__" key stays a plain field instead of replacing the prototype.
        Object.defineProperty(out, k, { value: typeof value === "string" && SECRET_KEY.test(k) ? REDACTED : value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } catch {
      return "[Unreadable]";
    } finally {
      ancestors.delete(o);
    }
  };
  const plain = walk(fields, 0);
  return typeof plain === "object" && plain !== null && !Array.isArray(plain) ? (plain as Record<string, unknown>) : {};
};
