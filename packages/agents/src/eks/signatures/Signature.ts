import { Schema } from "effect";

/**
 * What kind of cause a signature names. Analyzers use it to tie a log line to the Kubernetes
 * objects that can confirm or explain it (a path under a volume mount, the node's CPU
 * architecture, `readOnlyRootFilesystem`), never to decide whether a line is a failure.
 */
export const SignatureCategory = Schema.Literals([
  "missing-config",
  "missing-file",
  "missing-dependency",
  "permission",
  "rbac",
  "read-only-fs",
  "disk-full",
  "exec-format",
  "command",
  "dns",
  "tls",
  "connection",
  "auth",
  "memory",
  "migration",
  "data",
  "conflict",
  "incompatible",
  "kernel-setting",
  "bug",
  "slow"
]);
export type SignatureCategory = typeof SignatureCategory.Type;

export const SignatureConfidence = Schema.Literals(["high", "medium", "low"]);
export type SignatureConfidence = typeof SignatureConfidence.Type;

/** A real line the signature must match, and where it was seen (`owner/repo#issue`, a URL, or `owner/repo:path`). */
export const SignatureExample = Schema.Struct({
  line: Schema.String.pipe(Schema.check(Schema.isMinLength(1))),
  source: Schema.String.pipe(Schema.check(Schema.isMinLength(3))),
  /** Values the named groups must capture from `line`. */
  captures: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
});
export type SignatureExample = typeof SignatureExample.Type;

export const SignatureEntry = Schema.Struct({
  /** `family.name`, unique in the catalog. */
  id: Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9]+(?:[.-][a-z0-9]+)+$/))),
  category: SignatureCategory,
  /** JavaScript regular expressions; named groups (`(?<host>…)`) feed the title. Any one matching is enough. */
  patterns: Schema.Array(Schema.String.pipe(Schema.check(Schema.isMinLength(3)))).pipe(Schema.check(Schema.isMinLength(1))),
  /** Regular expression flags: `i` for case-insensitive. */
  flags: Schema.optionalKey(Schema.Literals(["i"])),
  /** How many consecutive lines a pattern may span (joined with `\n`); 1 when absent. */
  span: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 4 })))),
  /** The cause, with `{group}` for captured values: it becomes the hypothesis title, so it must name the cause. */
  title: Schema.String.pipe(Schema.check(Schema.isMinLength(8))),
  /** What to do about it (same placeholders). */
  action: Schema.optionalKey(Schema.String),
  /** The highest confidence a match of this signature may be claimed with. */
  confidence: SignatureConfidence,
  /** For durations (slow operations): the named group must hold a duration of at least this many milliseconds. */
  atLeast: Schema.optionalKey(Schema.Struct({ capture: Schema.String, milliseconds: Schema.Number, unit: Schema.optionalKey(Schema.Literals(["ms", "s"])) })),
  /** At least two real lines, each with its source. */
  examples: Schema.Array(SignatureExample).pipe(Schema.check(Schema.isMinLength(2))),
  /** Real lines that look alike but must not match (a guard against a too-wide pattern). */
  counterExamples: Schema.optionalKey(Schema.Array(SignatureExample))
});
export type SignatureEntry = typeof SignatureEntry.Type;

/** One data file of the catalog: the signatures of one runtime, server or kind of failure. */
export const SignatureFamily = Schema.Struct({
  family: Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9-]+$/))),
  description: Schema.String,
  signatures: Schema.Array(SignatureEntry).pipe(Schema.check(Schema.isMinLength(1)))
});
export type SignatureFamily = typeof SignatureFamily.Type;

/** A signature ready to match: its patterns compiled. */
export interface Signature {
  readonly id: string;
  readonly family: string;
  readonly category: SignatureCategory;
  readonly patterns: ReadonlyArray<RegExp>;
  readonly span: number;
  readonly title: string;
  readonly action?: string;
  readonly confidence: SignatureConfidence;
  readonly atLeast?: { readonly capture: string; readonly milliseconds: number; readonly unit?: "ms" | "s" };
  readonly examples: ReadonlyArray<SignatureExample>;
  readonly counterExamples: ReadonlyArray<SignatureExample>;
}
