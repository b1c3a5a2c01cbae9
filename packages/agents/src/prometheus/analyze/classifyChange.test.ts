import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyChange, type Point } from "./classifyChange.js";

const T0 = Date.parse("2026-03-12T13:50:00Z");
const MIN = 60_000;
const series = (values: ReadonlyArray<number>): Array<Point> => values.map((v, i) => ({ t: T0 + i * MIN, v }));
/** Deterministic small noise, so tests do not depend on a random seed. */
const wobble = (i: number, amplitude: number) => amplitude * Math.sin(i * 1.7);

describe("classifyChange", () => {
  it("a level change that stays is a step, dated where it began even when smoothed by rate()", () => {
    // 0.2% for 13 minutes, then a 5-sample ramp (rate over [5m]) to 12.4%.
    const values = Array.from({ length: 36 }, (_, i) => (i < 13 ? 0.002 + wobble(i, 0.0002) : i < 18 ? 0.002 + ((i - 12) / 5) * 0.122 : 0.124 + wobble(i, 0.001)));
    const change = classifyChange(series(values), { minDelta: 0.005 });
    expect(change.shape).toBe("step");
    if (change.shape !== "step") return;
    expect(change.direction).toBe("up");
    expect(change.at).toBe(T0 + 13 * MIN);
    expect(change.before).toBeCloseTo(0.002, 3);
    expect(change.after).toBeCloseTo(0.124, 2);
  });

  it("a short excursion that returns is a spike with its peak and end", () => {
    const values = Array.from({ length: 36 }, (_, i) => (i >= 20 && i < 24 ? [0.8, 2.1, 1.9, 0.9][i - 20]! : 0.12 + wobble(i, 0.005)));
    const change = classifyChange(series(values), { minDelta: 0.05 });
    expect(change.shape).toBe("spike");
    if (change.shape !== "spike") return;
    expect(change.direction).toBe("up");
    expect(change.peak).toEqual({ t: T0 + 21 * MIN, v: 2.1 });
    expect(change.at).toBe(T0 + 20 * MIN);
    expect(change.until).toBe(T0 + 24 * MIN);
    expect(change.before).toBeCloseTo(0.12, 1);
  });

  it("a steady climb is a trend with its slope", () => {
    const values = Array.from({ length: 36 }, (_, i) => 0.6 + i * 0.01 + wobble(i, 0.002));
    const change = classifyChange(series(values), { minDelta: 0.01 });
    expect(change.shape).toBe("trend");
    if (change.shape !== "trend") return;
    expect(change.direction).toBe("up");
    expect((change.slopePerMs ?? 0) * MIN).toBeCloseTo(0.01, 3);
  });

  it("noise around a level is flat; changes under the noise floor do not count", () => {
    expect(classifyChange(series(Array.from({ length: 36 }, (_, i) => 50 + wobble(i, 2)))).shape).toBe("flat");
    const small = Array.from({ length: 36 }, (_, i) => (i < 18 ? 0.001 : 0.003));
    expect(classifyChange(series(small), { minDelta: 0.01 }).shape).toBe("flat");
    expect(classifyChange(series(small), { minDelta: 0.001 }).shape).toBe("step");
  });

  it("too few finite samples are insufficient", () => {
    expect(classifyChange([])).toEqual({ shape: "insufficient", points: 0 });
    expect(classifyChange(series([1, Number.NaN, Number.POSITIVE_INFINITY, 2]))).toEqual({ shape: "insufficient", points: 2, last: 2 });
  });

  it("never throws, and its numbers come from the input, on arbitrary series (NaN, ±Inf, empty, unsorted)", () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE));
    const time = fc.oneof(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.double());
    const options = fc.record({ minDelta: fc.option(fc.double(), { nil: undefined }), minRelative: fc.option(fc.double(), { nil: undefined }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.array(fc.record({ t: time, v: value }), { maxLength: 80 }), options, (points, opts) => {
        const change = classifyChange(points, { ...(opts.minDelta === undefined ? {} : { minDelta: opts.minDelta }), ...(opts.minRelative === undefined ? {} : { minRelative: opts.minRelative }) });
        const finite = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
        if (change.shape === "insufficient") {
          expect(finite.length).toBeLessThan(3);
          return;
        }
        expect(["step", "spike", "trend", "flat"]).toContain(change.shape);
        expect(change.stats.points).toBe(finite.length);
        expect(Number.isFinite(change.before) && Number.isFinite(change.after)).toBe(true);
        const times = new Set(finite.map((p) => p.t));
        if (change.at !== undefined) expect(times.has(change.at)).toBe(true);
        if (change.until !== undefined) expect(times.has(change.until)).toBe(true);
        if (change.shape === "flat") expect(change.direction).toBe("none");
        else expect(change.direction).not.toBe("none");
      }),
      { numRuns: 2_000 }
    );
  });

  it("finds a clean step of any size and position, dated at its first sample", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 60 }),
        fc.double({ min: 0.2, max: 0.8, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.5, max: 1e6, noNaN: true }),
        fc.boolean(),
        (n, share, base, size, up) => {
          const k = Math.min(n - 2, Math.max(2, Math.round(n * share)));
          const delta = (up ? 1 : -1) * (size + Math.abs(base));
          const change = classifyChange(series(Array.from({ length: n }, (_, i) => (i < k ? base : base + delta))));
          expect(change.shape).toBe("step");
          if (change.shape !== "step") return;
          expect(change.at).toBe(T0 + k * MIN);
          expect(change.direction).toBe(up ? "up" : "down");
        }
      )
    );
  });
});
