import { redactSecrets } from "../redact/redactSecrets.js";
import { AlertParseError } from "./AlertParseError.js";
import { parseTimestamp } from "./parseTimestamp.js";

/** Past this many problems the payload is clearly not what we think; listing more helps nobody. */
const MAX_PROBLEMS = 20;

/** Collects what is wrong with a payload, each with its path. */
export class Problems {
  readonly list: Array<string> = [];
  private dropped = 0;
  private incomplete = false;
  add(problem: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
    else this.dropped++;
  }
  /** Reading stopped early: the rest of the payload was not checked. */
  stop(): void {
    this.incomplete = true;
  }
  get any(): boolean {
    return this.list.length > 0;
  }
  get full(): boolean {
    return this.list.length >= MAX_PROBLEMS;
  }
  summary(): ReadonlyArray<string> {
    if (this.dropped === 0 && !this.incomplete) return this.list;
    return [...this.list, this.incomplete ? "…and more problems (the rest of the payload was not checked)" : `…and ${this.dropped} more problems`];
  }
}

export const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** "a string", "an array", "null" — for "must be X, got Y" messages. */
export const describeType = (v: unknown): string => {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "object":
      return "an object";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    default:
      return typeof v;
  }
};

/** Quotes a short value (a status, a timestamp) for an error message; redacted before it is cut, since it came from a payload. */
export const quote = (v: string): string => {
  const r = redactSecrets(v);
  return JSON.stringify(r.length > 40 ? `${r.slice(0, 40)}…` : r);
};

export const pathOf = (base: string, key: string): string =>
  /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? (base === "" ? key : `${base}.${key}`) : `${base}[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;

const own = (obj: Readonly<Record<string, unknown>>, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

/**
 * An object of strings (labels, annotations). Missing or null is `{}` unless `required`.
 * Built with `Object.fromEntries`, so a `__proto__` label stays an ordinary key.
 */
export const readStringMap = (
  obj: Readonly<Record<string, unknown>>,
  key: string,
  base: string,
  problems: Problems,
  required = false
): Record<string, string> => {
  const path = pathOf(base, key);
  const value = own(obj, key);
  if (value === undefined || value === null) {
    if (required) problems.add(`${path} is missing; it must be an object of strings`);
    return {};
  }
  if (!isRecord(value)) {
    problems.add(`${path} must be an object of strings, got ${describeType(value)}`);
    return {};
  }
  const entries: Array<[string, string]> = [];
  for (const name of Object.keys(value)) {
    const v = value[name];
    if (typeof v === "string") entries.push([name, v]);
    else problems.add(`${pathOf(path, name)} must be a string, got ${describeType(v)}`);
  }
  return Object.fromEntries(entries);
};

/** An optional string; null counts as absent. */
export const readString = (
  obj: Readonly<Record<string, unknown>>,
  key: string,
  base: string,
  problems: Problems
): string | undefined => {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  problems.add(`${pathOf(base, key)} must be a string, got ${describeType(value)}`);
  return undefined;
};

/** An optional string the parse can do without: a wrong type is ignored rather than failing the alert. */
export const readLooseString = (obj: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const value = own(obj, key);
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
};

export const readStatus = (
  obj: Readonly<Record<string, unknown>>,
  key: string,
  base: string,
  problems: Problems
): "firing" | "resolved" | undefined => {
  const value = readString(obj, key, base, problems);
  if (value === undefined || value === "") return undefined;
  if (value === "firing" || value === "resolved") return value;
  problems.add(`${pathOf(base, key)} must be "firing" or "resolved", got ${quote(value)}`);
  return undefined;
};

/** RFC 3339 time in epoch ms; Go's zero time and absence are `undefined`. */
export const readTimestamp = (
  obj: Readonly<Record<string, unknown>>,
  key: string,
  base: string,
  problems: Problems,
  required: boolean
): number | undefined => {
  const path = pathOf(base, key);
  const value = own(obj, key);
  if (value !== undefined && value !== null && typeof value !== "string") {
    problems.add(`${path} must be an RFC 3339 timestamp string, got ${describeType(value)}`);
    return undefined;
  }
  const parsed = parseTimestamp(value);
  if (parsed._tag === "At") return parsed.millis;
  if (parsed._tag === "Invalid") {
    problems.add(`${path} must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got ${quote(String(value))}`);
  } else if (required) {
    problems.add(`${path} is ${value === undefined || value === null || value === "" ? "missing" : "not set (zero time)"}; it must be an RFC 3339 timestamp`);
  }
  return undefined;
};

export const readCount = (
  obj: Readonly<Record<string, unknown>>,
  key: string,
  base: string,
  problems: Problems
): number => {
  const value = own(obj, key);
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  problems.add(`${pathOf(base, key)} must be a non-negative integer, got ${typeof value === "number" ? String(value) : describeType(value)}`);
  return 0;
};

export const get = own;

/** A bug of ours, not the sender's: reported as a parse failure so the caller still never sees a throw. */
export const unexpected = (format: string, cause: unknown): AlertParseError =>
  new AlertParseError({
    format,
    problems: [`the payload could not be read (${cause instanceof Error ? cause.name : "unexpected failure"})`]
  });
