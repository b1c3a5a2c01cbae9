import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LogLine } from "../source/LogSource.js";
import { canonicalPattern, groupPatterns } from "./groupPatterns.js";
import { maskMessage, MAX_PATTERN_CHARS } from "./maskMessage.js";

/** Fragments real log lines are made of, so generated lines hit every mask and their edges. */
const fragment = fc.oneof(
  fc.constantFrom(
    "ERROR", "error:", "Exception", "connection refused", " ", "  ", "\t", "\n", "=", ":", "/", "-", "'", '"', "\\", "{", "}", "[", "]",
    "2026-04-02T09:30:00.123Z", "2026-04-02 09:30:00,123", "Apr  2 09:30:00", "02/Apr/2026:09:30:00 +0000", "09:30:00",
    "3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f", "0xdeadBEEF", "deadbeef00112233", "10.0.12.7", "10.0.12.7:5432", "api-7d9f8b6c5-x2x9z",
    "req_8f3kd92jd", "42", "3.14", "-1", "1e9", "'it''s'", '"quoted \\" value"', '{"level":"error","msg":"boom 42"}', '{"log":"{\\"msg\\":\\"inner 7\\"}"}',
    "<num>", "<ts>", "<id>", "…"
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 })
);
const line = fc.array(fragment, { maxLength: 25 }).map((parts) => parts.join(""));
const longLine = fc.array(fragment, { minLength: 40, maxLength: 200 }).map((parts) => parts.join(" "));

describe("maskMessage properties", () => {
  it("is idempotent, never throws, keeps no digits outside placeholders and stays bounded", () => {
    fc.assert(
      fc.property(fc.oneof(line, longLine, fc.string({ maxLength: 400 })), (text) => {
        const once = maskMessage(text);
        expect(maskMessage(once)).toBe(once);
        expect(once.length).toBeLessThanOrEqual(MAX_PATTERN_CHARS);
        expect(once).not.toMatch(/[0-9]/);
      }),
      { numRuns: 3_000 }
    );
  });

  it("lines differing only in numbers, ids, IPs and times share a key", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(65_535), fc.uuid(), fc.ipV4(), fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), (n, port, uuid, ip, date) => {
        const a = maskMessage(`${date.toISOString()} ERROR request ${uuid} to ${ip}:${port} failed after ${n}ms`);
        const b = maskMessage(`2026-01-01T00:00:00.000Z ERROR request 00000000-0000-4000-8000-000000000000 to 127.0.0.1:1 failed after 0ms`);
        expect(a).toBe(b);
      })
    );
  });
});

describe("groupPatterns properties", () => {
  const logLine: fc.Arbitrary<LogLine> = fc.record(
    { group: fc.constantFrom("/aws/lambda/a", "/ecs/b", "c"), message: fc.oneof(line, fc.string()), timestamp: fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: undefined }) },
    { requiredKeys: ["group", "message"] }
  ).map((l) => (l.timestamp === undefined ? { group: l.group, message: l.message } : { group: l.group, message: l.message, timestamp: l.timestamp }));

  it("never throws; counts sum to the lines; sorted by count; exemplars and times are consistent", () => {
    fc.assert(
      fc.property(fc.array(logLine, { maxLength: 200 }), (lines) => {
        const patterns = groupPatterns(lines);
        expect(patterns.reduce((s, p) => s + p.count, 0)).toBe(lines.length);
        expect(new Set(patterns.map((p) => canonicalPattern(p.key))).size).toBe(patterns.length);
        for (let i = 1; i < patterns.length; i++) expect(patterns[i - 1]!.count).toBeGreaterThanOrEqual(patterns[i]!.count);
        for (const p of patterns) {
          // Near-duplicates may be merged in, so a pattern holds at least the lines of its own key.
          const mine = lines.filter((l) => canonicalPattern(maskMessage(l.message)) === canonicalPattern(p.key));
          expect(p.count).toBeGreaterThanOrEqual(mine.length);
          for (const e of p.exemplars) expect(lines.some((l) => l.message.trim().startsWith(e.replace(/…$/, "")))).toBe(true);
          expect(p.exemplars.length).toBeGreaterThanOrEqual(1);
          expect(p.exemplars.length).toBeLessThanOrEqual(2);
          expect(p.groups.reduce((s, g) => s + g.count, 0)).toBe(p.count);
          const times = mine.flatMap((l) => (l.timestamp === undefined ? [] : [l.timestamp]));
          if (times.length > 0) {
            expect(p.firstSeen).toBeLessThanOrEqual(Math.min(...times));
            expect(p.lastSeen).toBeGreaterThanOrEqual(Math.max(...times));
          }
          if (p.count === mine.length) {
            expect(p.firstSeen).toBe(times.length > 0 ? Math.min(...times) : undefined);
            expect(p.lastSeen).toBe(times.length > 0 ? Math.max(...times) : undefined);
          }
        }
      }),
      { numRuns: 300 }
    );
  });
});
