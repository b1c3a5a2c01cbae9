import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { investigationIdFor } from "./investigationIdFor.js";

describe("investigationIdFor", () => {
  it("is inv- and 16 base32 characters, pinned across releases", () => {
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 4 }), (parts) => {
      expect(investigationIdFor(...parts)).toMatch(/^inv-[0-9a-hjkmnp-tv-z]{16}$/);
    }));
    // Ids are stored by the dedup and trace stores: changing the scheme orphans every record.
    expect(investigationIdFor("alertmanager", "59df22975eaa1a3a", "1795566468000")).toBe("inv-dg05y425c6v9hex9");
    expect(investigationIdFor("slack", "C04ALERTS01", "1764033633.811200")).toBe("inv-9pvvx0yffsq63rd8");
  });

  it("is deterministic and sensitive to every part and to part boundaries", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        expect(investigationIdFor(a, b, c)).toBe(investigationIdFor(a, b, c));
        fc.pre(b.length > 0);
        expect(investigationIdFor(a + b[0], b.slice(1), c)).not.toBe(investigationIdFor(a, b, c));
      })
    );
  });

  it("does not collide over many distinct alerts", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) ids.add(investigationIdFor("alertmanager", i.toString(16).padStart(16, "0"), "1795566468000"));
    expect(ids.size).toBe(20_000);
  });
});
