import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyTier1 } from "./gate.js";

/*
 * The gate on real material (issue #15): alert texts rendered by real alert tools' own templates and tests
 * (fixtures/real/senders.jsonl) and real on-call conversation from public threads and logs
 * (fixtures/real/conversation.jsonl), every line with its source. Split once, by source, into a development set the
 * rules were written against and a held-out set they were measured on (fixtures/real/split.json). The floors are what
 * was measured; they only go up.
 */

interface RealText {
  readonly text: string;
  readonly label: "alert" | "chatter";
  readonly sender: string;
  readonly source: string;
  readonly note: string;
}

interface Split {
  readonly heldOut: ReadonlyArray<string>;
  readonly development: ReadonlyArray<string>;
}

const fixture = (name: string) => new URL(`./fixtures/real/${name}`, import.meta.url);
const load = (name: string): ReadonlyArray<RealText> =>
  readFileSync(fixture(name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RealText);

const texts = [...load("senders.jsonl"), ...load("conversation.jsonl")];
const split = JSON.parse(readFileSync(fixture("split.json"), "utf8")) as Split;
/** A test-case name in parentheses after a fixture file is part of that file's source. */
const sourceKey = (source: string): string => source.replace(/\s\([^()]*(?:\([^()]*\)[^()]*)*\)$/, "");
const heldOut = new Set(split.heldOut);
const sets = {
  development: texts.filter((t) => !heldOut.has(sourceKey(t.source))),
  "held-out": texts.filter((t) => heldOut.has(sourceKey(t.source)))
} as const;

/**
 * Measured on each set when the rules were last changed; raise them when the gate gets better, never lower them. The
 * development floors were reset once, when the second held-out round (272 texts, measured once) joined the development set:
 * a larger set with harder texts, not a worse gate (the 474 earlier development texts went from 257/304 suppressed and 29
 * undecided to 262/304 and 24). Round 3's 199 held-out texts (measured once) then joined it: 945 texts, 483/579 chatter
 * suppressed and 73 undecided after round 3's rules (449/579 and 99 before them). Round 4's 184 held-out texts (measured
 * once: 70/77 alerts, 35/107 chatter suppressed, 63 undecided) joined it next: 1129 texts, recall 443/443, 566/686 chatter
 * suppressed and 91 undecided after round 4's rules (436/443, 518/686 and 136 before them); the 945 earlier texts went from
 * 483/579 and 73 undecided to 489/579 and 67. Round 5's 220 held-out texts (measured once: 86/88 alerts, 53/132 chatter
 * suppressed, 56 undecided) joined it next: 1349 texts, recall 531/531, 681/818 chatter suppressed and 103 undecided after
 * round 5's rules (529/531, 619/818 and 147 before them); the 1129 earlier texts went from 566/686 and 91 undecided to 572/686 and 86.
 * Round 6's 203 held-out texts (measured once: 80/83 alerts, 56/120 chatter suppressed, 49 undecided) joined it next: 1552 texts,
 * recall 614/614, 775/938 chatter suppressed and 136 undecided after round 6's rules (611/614, 737/938 and 152 before them); the
 * 1349 earlier texts went from 681/818 and 103 undecided to 684/818 and 102.
 */
const FLOORS = {
  development: { size: 1552, senders: 187, chatterSuppressed: 0.826, failOpenAtMost: 0.088 },
  "held-out": { size: 183, senders: 22, chatterSuppressed: 0.61, failOpenAtMost: 0.225 }
} as const;

type Outcome = "investigate" | "suppress" | "undecided";

const measure = (set: ReadonlyArray<RealText>) => {
  const rows = new Map<string, Record<Outcome, number>>();
  const missed: Array<string> = [];
  let chatter = 0;
  let suppressed = 0;
  let undecided = 0;
  for (const t of set) {
    const decision = classifyTier1(t.text).decision;
    const key = `${t.sender} ${t.label}`;
    const row = rows.get(key) ?? { investigate: 0, suppress: 0, undecided: 0 };
    row[decision]++;
    rows.set(key, row);
    if (decision === "undecided") undecided++;
    if (t.label === "alert" && decision === "suppress") missed.push(`${t.sender} <${t.source}>: ${t.text.slice(0, 120)}`);
    if (t.label === "chatter") {
      chatter++;
      if (decision === "suppress") suppressed++;
    }
  }
  const alerts = set.length - chatter;
  return { rows, missed, alerts, chatter, suppressed, undecided, senders: new Set(set.map((t) => t.sender)).size };
};

const pct = (n: number, of: number) => `${n}/${of} = ${((100 * n) / of).toFixed(1)} %`;

describe("the gate on real senders and real conversation", () => {
  it("keeps every text with its source, and every source on exactly one side of the split", () => {
    for (const t of texts) {
      expect(t.source.trim(), t.text).not.toBe("");
      expect(["alert", "chatter"], t.source).toContain(t.label);
    }
    const keys = new Set(texts.map((t) => sourceKey(t.source)));
    const dev = new Set(split.development);
    for (const k of keys) expect(heldOut.has(k) !== dev.has(k), `source ${k} must be listed on exactly one side`).toBe(true);
    for (const k of [...split.heldOut, ...split.development]) expect(keys.has(k), `split.json lists ${k}, which no text has`).toBe(true);
  });

  for (const [name, set] of Object.entries(sets) as Array<[keyof typeof sets, ReadonlyArray<RealText>]>) {
    it(`${name}: investigates every alert, and holds chatter suppression and fail-open to their floors`, () => {
      const floor = FLOORS[name];
      const m = measure(set);
      const table = [...m.rows.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, r]) => `  ${key.padEnd(46)} investigate ${String(r.investigate).padStart(3)}  suppress ${String(r.suppress).padStart(3)}  undecided ${String(r.undecided).padStart(3)}`);
      console.log(
        [
          `${name}: ${set.length} texts (${m.alerts} alerts, ${m.chatter} chatter) from ${m.senders} sender formats`,
          `  recall ${pct(m.alerts - m.missed.length, m.alerts)} · chatter suppressed ${pct(m.suppressed, m.chatter)} · fail-open ${pct(m.undecided, set.length)}`,
          ...table
        ].join("\n")
      );
      expect(set.length).toBeGreaterThanOrEqual(floor.size);
      expect(m.senders).toBeGreaterThanOrEqual(floor.senders);
      expect(m.missed, "alerts suppressed").toEqual([]);
      expect(m.suppressed / m.chatter).toBeGreaterThanOrEqual(floor.chatterSuppressed);
      expect(m.undecided / set.length).toBeLessThanOrEqual(floor.failOpenAtMost);
    });
  }
});
