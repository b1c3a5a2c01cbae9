import { Schema } from "effect";
import { type Signature, SignatureFamily } from "./Signature.js";

export interface CompiledCatalog {
  /** In catalog order: the first signature matching a line names it. */
  readonly signatures: ReadonlyArray<Signature>;
  /** What was wrong with the data (a bad file, a pattern that does not compile, a title naming a group no pattern has). Empty in a good catalog. */
  readonly problems: ReadonlyArray<string>;
}

const PLACEHOLDER = /\{(\w+)\}/g;

const groupsOf = (source: string): ReadonlySet<string> => new Set([...source.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1] ?? ""));

/**
 * Decodes and compiles the family files, in order. A family or signature with a problem is left
 * out and the problem reported, so one bad entry costs that entry, never the investigation; the
 * catalog's test requires no problems at all.
 */
export const compileCatalog = (families: ReadonlyArray<unknown>): CompiledCatalog => {
  const signatures: Array<Signature> = [];
  const problems: Array<string> = [];
  const ids = new Set<string>();
  for (const [index, raw] of families.entries()) {
    let family: SignatureFamily;
    try {
      family = Schema.decodeUnknownSync(SignatureFamily)(raw, { errors: "all", onExcessProperty: "error" });
    } catch (e) {
      problems.push(`family #${index + 1}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    for (const entry of family.signatures) {
      const where = `${family.family}/${entry.id}`;
      if (!entry.id.startsWith(`${family.family}.`)) problems.push(`${where}: the id must start with "${family.family}."`);
      if (ids.has(entry.id)) {
        problems.push(`${where}: duplicate id`);
        continue;
      }
      ids.add(entry.id);
      const patterns: Array<RegExp> = [];
      let broken = false;
      for (const source of entry.patterns) {
        if (/\\k<|\\[1-9]/.test(source)) {
          problems.push(`${where}: back-references are not allowed (${source})`);
          broken = true;
          continue;
        }
        try {
          patterns.push(new RegExp(source, entry.flags ?? ""));
        } catch (e) {
          problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
          broken = true;
          continue;
        }
      }
      if (broken) continue;
      // A placeholder outside `[[…]]` must be captured by every pattern; one inside, by at least one.
      const templates = `${entry.title} ${entry.action ?? ""}`;
      const optional = [...templates.matchAll(/\[\[(.*?)\]\]/g)].map((m) => m[1] ?? "").join(" ");
      const required = `${templates.replace(/\[\[.*?\]\]/g, "")} ${entry.atLeast !== undefined ? `{${entry.atLeast.capture}}` : ""}`;
      const all = entry.patterns.map(groupsOf);
      for (const m of required.matchAll(PLACEHOLDER)) {
        const missing = entry.patterns.filter((_, i) => !all[i]?.has(m[1] ?? ""));
        if (missing.length > 0) {
          problems.push(`${where}: {${m[1] ?? ""}} is not a named group of pattern ${missing[0] ?? ""} (put it in [[…]] if it is optional)`);
          broken = true;
        }
      }
      for (const m of optional.matchAll(PLACEHOLDER)) {
        if (!all.some((g) => g.has(m[1] ?? ""))) {
          problems.push(`${where}: {${m[1] ?? ""}} is a named group of no pattern`);
          broken = true;
        }
      }
      if (broken) continue;
      signatures.push({
        id: entry.id,
        family: family.family,
        category: entry.category,
        patterns,
        span: entry.span ?? 1,
        title: entry.title,
        ...(entry.action !== undefined ? { action: entry.action } : {}),
        confidence: entry.confidence,
        ...(entry.atLeast !== undefined ? { atLeast: entry.atLeast } : {}),
        examples: entry.examples,
        counterExamples: entry.counterExamples ?? []
      });
    }
  }
  return { signatures, problems };
};
