import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizeFields } from "./sanitizeFields.js";

const SECRETS = ["xoxb-1234567890-abcdefghij", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "AKIAIOSFODNN7EXAMPLE", "sk-abcdefghijklmnopqrstuvwxyz"];

/** Arbitrary JSON-ish values, with secrets embedded in some strings, bigints, and shared/cyclic references added after. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.constantFrom(...SECRETS).chain((s) => fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a} ${s} ${b}`)),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt()
  ),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie("node"), { maxKeys: 4 }))
})).node;

describe("sanitizeFields", () => {
  it("always returns JSON-serialisable data without the secrets, whatever the input, cycles included", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 5 }), fc.boolean(), (fields, cyclic) => {
        const input: Record<string, unknown> = { ...fields };
        if (cyclic) {
          input["self"] = input;
          input["again"] = { back: input };
        }
        const out = sanitizeFields(input);
        const text = JSON.stringify(out);
        for (const s of SECRETS) expect(text).not.toContain(s);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 }
    );
  });

  it("keeps a __proto__ key as a plain field", () => {
    const input = JSON.parse('{"__proto__":{"polluted":"yes"},"ok":1}') as Record<string, unknown>;
    const out = sanitizeFields(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":"yes"},"ok":1}');
  });

  it("bounds a wide graph of shared references instead of expanding it", () => {
    let layer: Record<string, unknown> = { leaf: "x" };
    for (let i = 0; i < 40; i++) layer = { a: layer, b: layer };
    const text = JSON.stringify(sanitizeFields({ layer }));
    expect(text.length).toBeLessThan(200_000);
    expect(text).toContain("[Truncated]");
  });
});
