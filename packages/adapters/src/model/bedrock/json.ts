/** A JSON value, structurally the same as the AWS SDK's (mutable) document type. */
export type JsonValue = null | boolean | number | string | Array<JsonValue> | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * What `JSON.stringify` would send for `value`, as a value: `undefined` members vanish and
 * non-finite numbers become null. Undefined when `value` has no JSON form at all (cycles,
 * BigInt, a bare function).
 */
export const toJsonValue = (value: unknown): JsonValue | undefined => {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
};

/** Parses a model's text answer as a JSON object or array, tolerating a Markdown code fence around it. */
export const parseJsonAnswer = (text: string): JsonValue | undefined => {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i.exec(trimmed)?.[1] ?? trimmed;
  const candidates = [fenced];
  const first = fenced.indexOf("{");
  const last = fenced.lastIndexOf("}");
  if (first > 0 || (first >= 0 && last < fenced.length - 1)) candidates.push(fenced.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      const parsed = JSON.parse(candidate) as JsonValue;
      if (typeof parsed === "object" && parsed !== null) return parsed;
    } catch {
      // not JSON; try the next candidate
    }
  }
  return undefined;
};
