import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOG, FAMILIES } from "./catalog.js";
import { compileCatalog } from "./compileCatalog.js";
import { matchSignatures, parseDuration, renderTemplate } from "./matchSignatures.js";

describe("the failure-signature catalog", () => {
  it("compiles without a problem", () => {
    expect(CATALOG.problems).toEqual([]);
    expect(CATALOG.signatures.length).toBeGreaterThan(0);
  });

  // Every example is a real line (its source is in the data file): it must be named by its own
  // signature, with the captures it lists, when run through the whole catalog.
  for (const signature of CATALOG.signatures) {
    describe(signature.id, () => {
      it("has at least two real examples from at least two sources", () => {
        expect(signature.examples.length).toBeGreaterThanOrEqual(2);
        expect(new Set(signature.examples.map((e) => e.source)).size).toBeGreaterThanOrEqual(2);
      });
      for (const example of signature.examples) {
        it(`names ${JSON.stringify(example.line.slice(0, 80))} (${example.source})`, () => {
          const matches = matchSignatures(CATALOG.signatures, example.line.split("\n"));
          expect(matches[0]?.id).toBe(signature.id);
          for (const [name, value] of Object.entries(example.captures ?? {})) expect(matches[0]?.captures[name]).toBe(value);
          expect(matches[0]?.title).not.toMatch(/[{}]|\[\[|\]\]/);
        });
      }
      for (const counter of signature.counterExamples) {
        it(`does not name ${JSON.stringify(counter.line.slice(0, 80))} (${counter.source})`, () => {
          expect(matchSignatures(CATALOG.signatures, counter.line.split("\n")).map((m) => m.id)).not.toContain(signature.id);
        });
      }
    });
  }
});

describe("compileCatalog", () => {
  it("reports a bad file, a bad pattern and a title naming a group no pattern has, and keeps the rest", () => {
    const good = { id: "x.good", category: "data", patterns: ["boom (?<what>\\w+)"], title: "it went boom: {what}", confidence: "low", examples: [{ line: "boom a", source: "a/b#1" }, { line: "boom b", source: "c/d#2" }] };
    const result = compileCatalog([
      { family: "x", description: "", signatures: [good, { ...good, id: "x.bad-regex", patterns: ["(unclosed"] }, { ...good, id: "x.bad-title", title: "it went {where}" }] },
      { family: "y", description: "", signatures: [{ ...good, id: "y.one-example", examples: [good.examples[0]] }] }
    ]);
    expect(result.signatures.map((s) => s.id)).toEqual(["x.good"]);
    expect(result.problems).toHaveLength(3);
  });

  it("keeps the family files in one order, specific before generic", () => {
    expect(FAMILIES.length).toBeGreaterThan(0);
  });
});

describe("renderTemplate", () => {
  it("fills placeholders and drops optional parts whose groups captured nothing", () => {
    expect(renderTemplate("cannot write {file}[[ in {dir}]]: {reason}", { file: "dump.rdb", reason: "Read-only file system" })).toBe("cannot write dump.rdb: Read-only file system");
    expect(renderTemplate("cannot write {file}[[ in {dir}]]: {reason}", { file: "dump.rdb", dir: "/data", reason: "x" })).toBe("cannot write dump.rdb in /data: x");
  });
});

describe("parseDuration", () => {
  it("reads the ways servers print durations", () => {
    expect(parseDuration("1m2.5s")).toBe(62_500);
    expect(parseDuration("350ms")).toBe(350);
    expect(parseDuration("1234.5 ms")).toBe(1234.5);
    expect(parseDuration("3 seconds")).toBe(3000);
    expect(parseDuration("12", "s")).toBe(12_000);
    expect(parseDuration("soon")).toBeUndefined();
  });
});

describe("matchSignatures: a multi-line match names its lines", () => {
  it("the lines a multi-line signature covered are not named again by a single-line one (SierraSoftworks/minback-postgres#5)", () => {
    const lines = ["> pg_dump -h postgres-postgresql-ha-pgpool.data.svc.cluster.local -Fc dashboard_db", "pg_dump: server version: 11.9; pg_dump version: 10.3", "pg_dump: aborting because of server version mismatch", "Backup failed"];
    const matches = matchSignatures(CATALOG.signatures, lines);
    expect(matches.map((m) => m.id)).toEqual(["postgresql.dump-version-mismatch"]);
    expect(matches[0]?.title).toBe("pg_dump 10.3 refuses to dump the PostgreSQL 11.9 server (server version mismatch): the backup's client tools are older than the server");
  });
});

describe("matchSignatures: properties", () => {
  const lines = fc.array(fc.oneof(fc.string({ maxLength: 120 }), fc.constantFrom(...CATALOG.signatures.flatMap((s) => s.examples.map((e) => e.line)))), { maxLength: 15 });

  it("accepts any lines, and every title it fills is free of placeholders, each match within the log", () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const text = ls.join("\n").split("\n");
        for (const m of matchSignatures(CATALOG.signatures, text)) {
          expect(m.title).not.toMatch(/[{}]|\[\[|\]\]/);
          expect(m.index).toBeGreaterThanOrEqual(0);
          expect(m.lastIndex).toBeLessThan(text.length);
          expect(m.count).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 }
    );
  });

  it("a real example keeps its signature wherever it sits among other lines", () => {
    const examples = CATALOG.signatures.flatMap((s) => s.examples.filter((e) => !e.line.includes("\n")).map((e) => ({ id: s.id, line: e.line })));
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.array(fc.string({ maxLength: 60 }).filter((l) => !l.includes("\n")), { maxLength: 5 }), fc.array(fc.string({ maxLength: 60 }).filter((l) => !l.includes("\n")), { maxLength: 5 }), (example, before, after) => {
        const found = matchSignatures(CATALOG.signatures, [...before, example.line, ...after]);
        expect(found.some((m) => m.id === example.id && m.index === before.length)).toBe(true);
      }),
      { numRuns: 300 }
    );
  });
});
