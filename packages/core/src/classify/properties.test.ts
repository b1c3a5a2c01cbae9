import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactSecrets } from "../redact/redactSecrets.js";
import { botMentionArb, checkGateInvariants, withBotMention } from "../testing/classifierProperties.js";
import { plantedSecretArbitrary } from "../testing/plantedSecrets.js";
import { classifyTier1, makeGate } from "./gate.js";
import type { Tier1Rule } from "./Tier1Rule.js";

describe("gate invariants (property tests)", () => {
  it("hold for the builtin rules", () => {
    checkGateInvariants({}, { numRuns: 300 });
  });

  it("hold with hostile extension rules installed", () => {
    const rules: ReadonlyArray<Tier1Rule> = [
      { name: "mute-everything", priority: -1, evaluate: () => ({ decision: "suppress", reason: "muted" }) },
      { name: "shout", priority: 0, evaluate: () => ({ decision: "investigate", reason: "loud" }) }
    ];
    checkGateInvariants({ rules }, { numRuns: 100, largeInputs: false });
  });

  it("a mention wrapper never changes the verdict of an alert-tool notification", () => {
    const notification = fc.constantFrom(
      "[FIRING:1] KubePodCrashLooping (payments api-1 critical)",
      "CloudWatch Alarm | x | us-east-1\nAlarm state changed from OK to ALARM",
      "Monitor is DOWN: api (https://api.example.com)",
      "Triggered: [P1] High error rate on checkout"
    );
    fc.assert(
      fc.property(notification, botMentionArb, fc.constantFrom("", "<!here> ", "@channel "), (text, mention, broadcast) => {
        expect(classifyTier1(`${mention} ${broadcast}${text}`).decision).toBe("investigate");
      })
    );
  });

  it("adding chatter words in front of an ongoing failure never suppresses it", () => {
    const lead = fc.constantFrom("hi", "hey team", "thanks", "good morning!", "sorry to bother", "ok");
    const failure = fc.constantFrom("api is down", "checkout returning 502s", "pods stuck in Pending", "db timing out", "queue backing up");
    fc.assert(
      fc.property(withBotMention(fc.tuple(lead, failure).map(([a, b]) => `${a}, ${b}`)), (text) => {
        expect(classifyTier1(text).decision).not.toBe("suppress");
      })
    );
  });

  it("runs every rule in linear time: a 100 KB adversarial message still gets a verdict", () => {
    const gate = makeGate();
    for (const unit of ["a ", "<", "<@", ":a", "[FIRING:", "still ", "https://x", "&amp;", "9", "🚨"]) {
      const text = unit.repeat(Math.ceil(100_000 / unit.length));
      expect(gate.tier1(text).reasons.length).toBeGreaterThan(0);
    }
  });
});

describe("classifier against generated alerts and chatter", () => {
  it("never suppresses a generated alert-tool or human alert text, mention-wrapped or not", async () => {
    const { alertTextArb, mentionedArb } = await import("../testing/alertArbitraries.js");
    fc.assert(
      fc.property(fc.oneof(alertTextArb, mentionedArb(alertTextArb)), (text) => {
        expect(classifyTier1(text).decision, text).not.toBe("suppress");
      }),
      { numRuns: 500 }
    );
  });

  it("suppresses at least 95% of generated chatter", async () => {
    const { chatterArb, mentionedArb } = await import("../testing/alertArbitraries.js");
    const samples = fc.sample(mentionedArb(chatterArb), { numRuns: 1000, seed: 42 });
    const suppressed = samples.filter((t) => classifyTier1(t).decision === "suppress").length;
    expect(suppressed / samples.length, samples.filter((t) => classifyTier1(t).decision !== "suppress").slice(0, 10).join("\n")).toBeGreaterThanOrEqual(0.95);
  });
});

describe("reasons that quote the message", () => {
  it("never keep a fragment of a secret that redaction would no longer recognise (property)", () => {
    const lead = fc.constantFrom("thanks, fixed it with", "good morning! rotated", "lol", "nvm, it was", "ok so the config has");
    fc.assert(
      fc.property(lead, fc.string({ maxLength: 40 }), plantedSecretArbitrary, (before, filler, secret) => {
        const v = classifyTier1(`<@U0BOT> ${before} ${filler.replace(/[<>]/g, "")} ${secret.text}`);
        const shown = redactSecrets(v.reasons.join(" "));
        // What reaches a log or the trace is redacted there; no 8-character piece of the key may survive it.
        for (const core of secret.cores) for (let i = 0; i + 8 <= core.length; i++) expect(shown).not.toContain(core.slice(i, i + 8));
      }),
      { numRuns: 300 }
    );
  });
});
