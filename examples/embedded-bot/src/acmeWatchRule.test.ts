import { makeGate } from "@sre-on-call/core";
import { checkGateInvariants, withBotMention } from "@sre-on-call/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acmeWatchRule } from "./acmeWatchRule.js";

const gate = makeGate({ rules: [acmeWatchRule] });
const service = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/);
const watchLine = (state: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom("▲", "▼"), service, state, fc.string({ maxLength: 80 })).map(([arrow, s, st, tail]) => `ACME-WATCH ${arrow} ${s} ${st}: ${tail}`);

describe("the acme-watch rule", () => {
  it("investigates RED and AMBER, suppresses GREEN, whatever the service and the tail", () => {
    fc.assert(
      fc.property(withBotMention(watchLine(fc.constantFrom("RED", "AMBER"))), (text) => {
        fc.pre(!/investigate/i.test(text));
        expect(gate.tier1(text)).toMatchObject({ decision: "investigate", rule: "acme-watch" });
      })
    );
    fc.assert(
      fc.property(withBotMention(watchLine(fc.constant("GREEN"))), (text) => {
        fc.pre(!/investigate/i.test(text));
        expect(gate.tier1(text)).toMatchObject({ decision: "suppress", rule: "acme-watch" });
      })
    );
  });

  it("keeps the gate's own invariants (override, empty mention, fail-open, any Unicode)", () => {
    checkGateInvariants({ rules: [acmeWatchRule] }, { numRuns: 100 });
  });
});
