import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTimestamp } from "./parseTimestamp.js";

describe("parseTimestamp", () => {
  it.each([
    ["2026-11-25T01:20:33.811Z", Date.UTC(2026, 10, 25, 1, 20, 33, 811)],
    ["2026-11-25T01:20:33Z", Date.UTC(2026, 10, 25, 1, 20, 33)],
    ["2026-11-25T01:20:33.811999999Z", Date.UTC(2026, 10, 25, 1, 20, 33, 811)],
    ["2021-10-12T09:51:03.157076+02:00", Date.UTC(2021, 9, 12, 7, 51, 3, 157)],
    ["2021-10-12T09:51:03-05:30", Date.UTC(2021, 9, 12, 15, 21, 3)],
    ["2024-02-29T00:00:00z", Date.UTC(2024, 1, 29)],
    ["2024-02-29 00:00:00Z", Date.UTC(2024, 1, 29)]
  ])("%s", (raw, millis) => {
    expect(parseTimestamp(raw)).toEqual({ _tag: "At", millis });
  });

  it.each([undefined, null, "", "   ", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z"])("%j is unset", (raw) => {
    expect(parseTimestamp(raw)).toEqual({ _tag: "Unset" });
  });

  it.each(["yesterday", "2026-11-25", "2026-11-25T01:20:33", "2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T01:20:33+25:00", "1700000000"])(
    "%s is invalid",
    (raw) => {
      expect(parseTimestamp(raw)).toEqual({ _tag: "Invalid" });
    }
  );

  it("round-trips every millisecond ISO string and never throws", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        expect(parseTimestamp(new Date(ms).toISOString())).toEqual({ _tag: "At", millis: ms });
      })
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(["At", "Unset", "Invalid"]).toContain(parseTimestamp(s)._tag);
      })
    );
  });
});
