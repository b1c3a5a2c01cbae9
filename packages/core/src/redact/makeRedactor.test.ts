import { Effect, Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildReport } from "../report/buildReport.js";
import { buildSynthesisPrompt } from "../report/synthesisPrompt.js";
import { synthesizeWithModelDetailed } from "../report/synthesizeWithModel.js";
import { renderReport } from "../render/renderReport.js";
import { honestAnswer, modelTurn, outageAlert, outageOutcomes } from "../testing/injection.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { makeRedactor } from "./makeRedactor.js";
import { REDACTED } from "./redactSecrets.js";

const CARD = "\\b\\d{4}(?:[ -]\\d{4}){3}\\b";
const EMPLOYEE = /\bEMP-[0-9]{6}\b/;

const redactorOf = (patterns: ReadonlyArray<RegExp | string>) => {
  const r = makeRedactor(patterns);
  if (Result.isFailure(r)) throw new Error(r.failure.message);
  return r.success;
};

/** Secrets only the extra patterns know, with the part that must never survive. */
const extraSecret = fc.oneof(
  fc.tuple(fc.stringMatching(/^\d{4}$/), fc.stringMatching(/^\d{4}$/), fc.stringMatching(/^\d{4}$/), fc.stringMatching(/^\d{4}$/), fc.constantFrom(" ", "-")).map(([a, b, c, d, sep]) => [a, b, c, d].join(sep)),
  fc.stringMatching(/^\d{6}$/).map((n) => `EMP-${n}`)
);

const withFinding = (content: string) => {
  const [eks, ...rest] = outageOutcomes();
  return [{ ...eks!, result: { ...eks!.result!, findings: [...eks!.result!.findings, { ...eks!.result!.findings[0]!, id: "eks:30", content }] } }, ...rest];
};

describe("makeRedactor", () => {
  it("applies extra patterns given as sources or RegExps, on top of the builtin ones", () => {
    const r = redactorOf([CARD, EMPLOYEE]);
    expect(r.redact("card 4111 1111 1111 1111 of EMP-123456 with xoxb-1234567890-abcdefghijklmnop")).toBe(`card ${REDACTED} of ${REDACTED} with ${REDACTED}`);
    expect(r.redactDeep({ a: ["EMP-000001"], n: 3 })).toEqual({ a: [REDACTED], n: 3 });
  });

  it("keeps a RegExp's own flags (case-insensitive stays so, with or without `g`), compiles every pattern global, and accepts broad patterns", () => {
    for (const pattern of [/emp-[0-9]{6}/i, /emp-[0-9]{6}/gi]) {
      expect(redactorOf([pattern]).redact("EMP-123456 and EMP-654321"), String(pattern)).toBe(`${REDACTED} and ${REDACTED}`);
    }
    // Compiled global, whatever they were given as: a caller may `replace` with them directly.
    expect(redactorOf(["EMP-[0-9]{6}", /emp-[0-9]{6}/i, /emp-[0-9]{6}/gi]).extra.map((re) => re.flags)).toEqual(["g", "gi", "gi"]);
    // Any pattern that cannot match the empty string is the operator's to choose, however broad.
    expect(redactorOf(["[A-Za-z]{3,}"]).redact("disk was full!")).toBe(`${REDACTED} ${REDACTED} ${REDACTED}!`);
  });

  it.each([
    ["(unclosed", "not a valid regular expression"],
    ["", "empty"],
    ["a*", "matches the empty string"],
    ["(a+)+$", "nested quantifiers"],
    ["x".repeat(501), "longer than 500"]
  ])("refuses %j with a readable typed error", (pattern, reason) => {
    const r = makeRedactor(["ok-[0-9]+", pattern]);
    expect(Result.isFailure(r)).toBe(true);
    if (Result.isFailure(r)) {
      expect(r.failure._tag).toBe("InvalidRedactionPattern");
      expect(r.failure.message).toMatch(/^redaction\.patterns\[1\]: /);
      expect(r.failure.message).toContain(reason);
    }
  });

  it("planted secrets matching extra patterns never reach the synthesis prompt (property)", () => {
    const r = redactorOf([CARD, EMPLOYEE]);
    fc.assert(
      fc.property(extraSecret, fc.constantFrom("", "refund failed for ", "ERROR user="), (secret, before) => {
        const prompt = buildSynthesisPrompt({ alert: { ...outageAlert, alertText: `${outageAlert.alertText} ${secret}` }, outcomes: withFinding(`${before}${secret} declined`), hypotheses: [] }, { redact: r.redact });
        const sent = JSON.stringify(prompt.request);
        expect(sent).not.toContain(secret);
      }),
      { numRuns: 300 }
    );
  });

  it("planted secrets matching extra patterns never reach the report, even when the model repeats them (property)", async () => {
    const r = redactorOf([CARD, EMPLOYEE]);
    await fc.assert(
      fc.asyncProperty(extraSecret, async (secret) => {
        const s = makeScriptedModel();
        s.script([modelTurn({ ...honestAnswer, impact: { text: `customer ${secret} cannot pay`, citations: ["eks:30"] } })]);
        const outcomes = withFinding(`payment of ${secret} failed`);
        const result = await Effect.runPromise(synthesizeWithModelDetailed(s.model, { alert: outageAlert, outcomes }, { redact: r.redact }));
        expect(JSON.stringify(s.received())).not.toContain(secret);
        expect(result.synthesis.impact).toContain(REDACTED);
        const report = r.redactDeep(buildReport({ alert: outageAlert, kind: "initial", generatedAt: 0, outcomes, synthesis: result.synthesis }));
        for (const dialect of ["slack", "markdown", "json"] as const) {
          expect(renderReport(report, dialect).map((m) => m.text + JSON.stringify(m.blocks ?? [])).join("\n")).not.toContain(secret);
        }
      }),
      { numRuns: 60 }
    );
  });
});
