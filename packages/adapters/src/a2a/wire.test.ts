import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSendMessageResponse, runtimeSessionIdFor } from "./wire.js";

describe("wire helpers", () => {
  it("parseSendMessageResponse never throws, whatever the answer", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ jsonrpc: "2.0", id: 1, result: v }))), (text) => {
        expect(["data", "rpcError", "malformed"]).toContain(parseSendMessageResponse(text)._tag);
      })
    );
  });

  it("runtime session ids are long enough for AgentCore, bounded, stable and distinct per investigation", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (a, b) => {
        const ia = runtimeSessionIdFor(a);
        expect(ia.length).toBeGreaterThanOrEqual(33);
        expect(ia.length).toBeLessThanOrEqual(256);
        expect(ia).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(runtimeSessionIdFor(a)).toBe(ia);
        if (a !== b) expect(runtimeSessionIdFor(b)).not.toBe(ia);
      })
    );
  });
});
