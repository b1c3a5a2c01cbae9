import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertFingerprint, fnv1a64 } from "./fnv1a64.js";

/** The textbook definition over TextEncoder bytes and bigint arithmetic, as an oracle. */
const reference = (parts: ReadonlyArray<string>, seed = 0xcbf29ce484222325n): bigint => {
  let h = seed;
  const bytes: Array<number> = [];
  for (const p of parts) bytes.push(...new TextEncoder().encode(p), 0xff);
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
};

describe("fnv1a64 / alertFingerprint", () => {
  it("matches Prometheus' label-set fingerprint test vectors", () => {
    // prometheus/common model: TestMetricToFingerprint
    expect(BigInt(`0x${alertFingerprint({})}`)).toBe(14695981039346656037n);
    expect(BigInt(`0x${alertFingerprint({ name: "garland, briggs", fear: "love is not enough" })}`)).toBe(5799056148416392346n);
  });

  it("equals the bigint definition on arbitrary Unicode, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 6 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (parts, seed) => {
        expect(fnv1a64(parts, seed)).toBe(reference(parts, seed));
      })
    );
  });

  it("separates parts, so moving a boundary changes the hash", () => {
    expect(fnv1a64(["ab", "c"])).not.toBe(fnv1a64(["a", "bc"]));
  });

  it("does not depend on label order and is 16 hex digits", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string(), { maxKeys: 8 }), (labels) => {
        const reversed = Object.fromEntries(Object.entries(labels).reverse());
        expect(alertFingerprint(reversed)).toBe(alertFingerprint(labels));
        expect(alertFingerprint(labels)).toMatch(/^[0-9a-f]{16}$/);
      })
    );
  });
});
