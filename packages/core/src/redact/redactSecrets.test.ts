import { Effect } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderReport } from "../render/renderReport.js";
import { sampleReport } from "../testing/samples.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { redactingModel } from "./redactingModel.js";
import { REDACTED, redactDeep, redactSecrets } from "./redactSecrets.js";

const b64 = fc.stringMatching(/^[A-Za-z0-9]{8,30}$/);
/** Secrets as they show up in logs and annotations; each with the part that must never survive. */
const secretArb: fc.Arbitrary<{ readonly text: string; readonly core: string }> = fc.oneof(
  fc.stringMatching(/^AKIA[A-Z0-9]{16}$/).map((k) => ({ text: k, core: k })),
  fc.stringMatching(/^[A-Za-z0-9/+]{40}$/).map((k) => ({ text: `aws_secret_access_key = ${k}`, core: k })),
  fc.stringMatching(/^xoxb-[0-9]{10}-[A-Za-z0-9]{16}$/).map((k) => ({ text: k, core: k })),
  fc.tuple(b64, b64, b64).map(([a, b, c]) => {
    const jwt = `eyJ${a}.eyJ${b}.${c}`;
    return { text: `Authorization: ${jwt}`, core: jwt };
  }),
  fc.stringMatching(/^[A-Za-z0-9._~-]{16,40}$/).map((k) => ({ text: `Authorization: Bearer ${k}`, core: k })),
  fc.stringMatching(/^[A-Za-z0-9!#%]{8,24}$/).map((p) => ({ text: `postgres://app:${p}@db.internal:5432/orders`, core: `:${p}@` })),
  fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).map((p) => ({ text: `DB_PASSWORD=${p}`, core: `=${p}` })),
  fc.stringMatching(/^[A-Za-z0-9]{40}$/).map((k) => ({ text: `-----BEGIN RSA PRIVATE KEY-----\nMIIE${k}\n-----END RSA PRIVATE KEY-----`, core: `MIIE${k}` })),
  fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/).map((k) => ({ text: k, core: k })),
  fc.stringMatching(/^sk-[A-Za-z0-9]{32}$/).map((k) => ({ text: `OPENAI_API_KEY: ${k}`, core: k }))
);
const around = fc.constantFrom("", " ", "\n", "ERROR connect failed ", "config: ", '{"k":"', " (retrying)", ". ");

describe("redactSecrets", () => {
  it("redacts every planted secret, wherever it sits in a line (property)", () => {
    fc.assert(
      fc.property(around, secretArb, around, (before, secret, after) => {
        const out = redactSecrets(`${before}${secret.text}${after}`);
        expect(out).not.toContain(secret.core);
        expect(out).toContain(REDACTED);
      }),
      { numRuns: 2000 }
    );
  });

  it("keeps ordinary operational text as it is", () => {
    for (const line of [
      "payments/api cannot reach 172.20.91.7:5432 (connection refused)",
      "kubectl -n payments rollout undo deployment/api",
      "PANIC: could not write to file \"pg_wal/xlogtemp.27\": No space left on device",
      "https://grafana.example.com/d/payments?orgId=1&from=now-1h",
      "image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.4.0"
    ]) {
      expect(redactSecrets(line)).toBe(line);
    }
  });

  it("never throws and never grows without bound on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        const out = redactSecrets(s);
        expect(typeof out).toBe("string");
        expect(out.length).toBeLessThanOrEqual(s.length + 64 * (s.length / 3 + 1));
      })
    );
  });

  it("applies configured extra patterns", () => {
    expect(redactSecrets("customer card 4111-1111-1111-1111 declined", { extra: [/\b(?:\d{4}-){3}\d{4}\b/] })).toBe(`customer card ${REDACTED} declined`);
  });

  it("a planted secret in a finding never reaches any rendered dialect", () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const agent = sampleReport.agents[0]!;
        const report = redactDeep({
          ...sampleReport,
          agents: [{ ...agent, findings: [...agent.findings, { ...agent.findings[0]!, id: `${agent.agent}:99`, content: `log line: ${secret.text}` }] }]
        });
        for (const dialect of ["slack", "discord", "markdown", "json"] as const) {
          const out = renderReport(report, dialect)
            .map((m) => m.text + JSON.stringify(m.blocks ?? []))
            .join("\n");
          expect(out).not.toContain(secret.core);
        }
      }),
      { numRuns: 200 }
    );
  });

  it("redacts prompts before they reach a model", async () => {
    const scripted = makeScriptedModel();
    scripted.script([{ content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1 } }]);
    const model = redactingModel(scripted.model);
    await Effect.runPromise(
      model.converse({
        callSite: "synthesis",
        system: "token=abc123456789",
        messages: [{ role: "user", content: [{ type: "text", text: "ERROR auth failed for xoxb-1234567890-abcdefghijklmnop" }, { type: "toolResult", toolUseId: "t1", content: "AKIAABCDEFGHIJKLMNOP" }] }]
      })
    );
    const sent = JSON.stringify(scripted.received());
    expect(sent).not.toContain("xoxb-1234567890-abcdefghijklmnop");
    expect(sent).not.toContain("AKIAABCDEFGHIJKLMNOP");
    expect(sent).not.toContain("abc123456789");
  });
});
