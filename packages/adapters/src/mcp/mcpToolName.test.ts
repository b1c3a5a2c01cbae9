import { TOOL_NAME } from "@sre-on-call/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mcpToolName } from "./mcpToolName.js";

/** Strings drawn mostly from the characters that make names ambiguous. */
const tricky = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", "_", "-", ".", " ", "é", "/"), maxLength: 12 }),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: fc.constantFrom("a", "_", "0", "f"), minLength: 50, maxLength: 90 })
);

describe("mcpToolName", () => {
  it("keeps `<server>__<tool>` when it is already a valid, unambiguous name", () => {
    expect(mcpToolName("runbooks", "runbook_lookup")).toBe("runbooks__runbook_lookup");
    expect(mcpToolName("k8s-gw", "get-pods")).toBe("k8s-gw__get-pods");
  });

  it("sanitises, shortens and hashes anything else", () => {
    expect(mcpToolName("ops", "get.status")).toMatch(/^ops__get_status_[0-9a-f]{8}$/);
    const long = mcpToolName("ops", "x".repeat(100));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^ops__x+_[0-9a-f]{8}$/);
  });

  it("tells apart the pairs a plain join would merge", () => {
    expect(mcpToolName("a__b", "c")).not.toBe(mcpToolName("a", "b__c"));
    expect(mcpToolName("a_", "_b")).not.toBe(mcpToolName("a", "__b"));
    expect(mcpToolName("a", "b.c")).not.toBe(mcpToolName("a", "b_c"));
    expect(mcpToolName("a", "b_0123abcd")).not.toBe(mcpToolName("a", "b"));
  });

  it("always answers a name models accept", () => {
    fc.assert(
      fc.property(tricky, tricky, (server, tool) => {
        expect(mcpToolName(server, tool)).toMatch(TOOL_NAME);
      }),
      { numRuns: 2_000 }
    );
  });

  it("gives distinct (server, tool) pairs distinct names", () => {
    fc.assert(
      fc.property(fc.tuple(tricky, tricky), fc.tuple(tricky, tricky), ([s1, t1], [s2, t2]) => {
        fc.pre(s1 !== s2 || t1 !== t2);
        expect(mcpToolName(s1, t1)).not.toBe(mcpToolName(s2, t2));
      }),
      { numRuns: 5_000 }
    );
  });

  it("is deterministic", () => {
    fc.assert(fc.property(tricky, tricky, (server, tool) => mcpToolName(server, tool) === mcpToolName(server, tool)));
  });
});
