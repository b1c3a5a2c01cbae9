import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { windowAround } from "./windowAround.js";

const MIN = 60_000;

describe("windowAround", () => {
  it("spans the minutes either side of the timestamp", () => {
    expect(windowAround(1_700_000_000_000, 5)).toEqual({ start: 1_700_000_000_000 - 5 * MIN, end: 1_700_000_000_000 + 5 * MIN });
  });

  it("extends to `until` plus the margin for an alert that ended", () => {
    expect(windowAround(1_000 * MIN, 5, 1_030 * MIN)).toEqual({ start: 995 * MIN, end: 1_035 * MIN });
    expect(windowAround(1_000 * MIN, 5, 990 * MIN)).toEqual({ start: 995 * MIN, end: 1_005 * MIN });
  });

  it("never starts before the epoch and survives nonsense", () => {
    expect(windowAround(60_000, 5)).toEqual({ start: 0, end: 60_000 + 5 * MIN });
    expect(windowAround(Number.NaN, Number.POSITIVE_INFINITY)).toEqual({ start: 0, end: 0 });
    expect(windowAround(1_000, -3)).toEqual({ start: 1_000, end: 1_000 });
  });

  it("contains the timestamp and has the configured width", () => {
    fc.assert(
      fc.property(fc.integer({ min: 7 * 24 * 60 * MIN, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 7 * 24 * 60 }), (t, minutes) => {
        const w = windowAround(t, minutes);
        expect(w.start).toBeLessThanOrEqual(t);
        expect(w.end).toBeGreaterThanOrEqual(t);
        expect(w.end - w.start).toBe(2 * minutes * MIN);
      })
    );
  });
});
