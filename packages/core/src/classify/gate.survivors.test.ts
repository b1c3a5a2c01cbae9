/**
 * The gate seen from outside where the first mutation run (#16) found it unobserved: what a rule's
 * odd answer does, the cuts at 100,000 characters, the exact reasons of each verdict, which gate the
 * option shortcuts pick, which thread replies defer to the thread, what tier 2 sends to the model
 * port and how it reads the answer, and how pattern rules are checked.
 */
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";
import type { ConverseRequest, ConverseResponse, ModelPortShape } from "../ports/ModelPort.js";
import { makeClassifierInput } from "./ClassifierInput.js";
import { classifyMessage, classifyThreadMention, makeGate, type Tier2Answer, type Tier2Classifier } from "./gate.js";
import { compilePatternRules, type PatternRuleSpec } from "./patternRules.js";
import type { Tier1Rule } from "./Tier1Rule.js";
import { modelTier2 } from "./tier2Model.js";

const AMBIGUOUS = "<@U0BOT> payments latency looks odd since noon, p99 around 2s";
const ALERT = "[FIRING:1] HighErrorRate checkout-api (severity=critical) error rate 12% > 5% for 10m";

const suppressing = (name: string, priority = 1): Tier1Rule => ({ name, priority, evaluate: () => ({ decision: "suppress", reason: `${name} said so` }) });

describe("tier 1: rules that answer oddly", () => {
  it("a rule answering null or an unknown decision abstains, and the next rule decides", () => {
    const odd: ReadonlyArray<Tier1Rule> = [
      { name: "null", priority: 1, evaluate: () => null as unknown as undefined },
      { name: "maybe", priority: 2, evaluate: () => ({ decision: "maybe" as unknown as "suppress", reason: "unsure" }) },
      suppressing("last", 3)
    ];
    expect(makeGate({ withoutBuiltins: true, rules: odd }).tier1("<@U0BOT> hello there")).toEqual({ decision: "suppress", rule: "last", reasons: ["last said so"] });
  });

  it("a throwing rule investigates, naming the rule and the error", () => {
    const boom: Tier1Rule = {
      name: "boom",
      priority: 1,
      evaluate: () => {
        throw new Error("kaput");
      }
    };
    expect(makeGate({ withoutBuiltins: true, rules: [boom] }).tier1("<@U0BOT> hello there")).toEqual({
      decision: "investigate",
      rule: "boom",
      reasons: ['rule "boom" failed (kaput); investigating to be safe']
    });
  });

  it("rules of equal priority keep the order they were given in, after the builtins of lower priority", () => {
    const gate = makeGate({ withoutBuiltins: true, rules: [suppressing("b", 5), suppressing("a", 5), suppressing("c", 1)] });
    expect(gate.rules.map((r) => r.name)).toEqual(["c", "b", "a"]);
    const withBuiltins = makeGate({ rules: [suppressing("first", -1)] });
    expect(withBuiltins.rules[0]?.name).toBe("first");
    expect(withBuiltins.rules.length).toBeGreaterThan(1);
  });

  it("states the override's and the empty mention's reasons", () => {
    const gate = makeGate({ withoutBuiltins: true, rules: [] });
    expect(gate.tier1("<@U0BOT> please investigate")).toEqual({ decision: "investigate", rule: "override", reasons: ['the message says "investigate", which always starts an investigation'] });
    expect(gate.tier1("<@U0BOT>   \n\t  ")).toEqual({ decision: "suppress", rule: "empty-mention", reasons: ["a mention with no other text"] });
  });

  it("reads a non-string message as its string form", () => {
    const seen: Array<string> = [];
    const gate = makeGate({ withoutBuiltins: true, rules: [{ name: "seen", priority: 1, evaluate: (input) => (seen.push(input.raw), undefined) }] });
    const odd = { toString: () => "<@U0BOT> disk full on db-1" } as unknown as string;
    expect(gate.tier1(odd).decision).toBe("undecided");
    expect(seen).toEqual(["<@U0BOT> disk full on db-1"]);
  });

  it("rules see at most the first 100,000 characters; exactly 100,000 are kept whole", () => {
    const seen: Array<string> = [];
    const gate = makeGate({ withoutBuiltins: true, rules: [{ name: "seen", priority: 1, evaluate: (input) => (seen.push(input.raw), undefined) }] });
    const exact = `<@U0BOT> ${"y".repeat(100_000 - 9)}`;
    gate.tier1(exact);
    gate.tier1(`${exact}z`);
    expect(seen).toEqual([exact, exact]);
  });
});

describe("classify: the reasons and the tier-2 input", () => {
  const NO_RULES = { withoutBuiltins: true, rules: [] } as const;

  it("the kill switch states why", async () => {
    expect(await Effect.runPromise(classifyMessage(ALERT, { enabled: false }))).toEqual({
      decision: "investigate",
      tier: 0,
      rule: "kill-switch",
      reasons: ["the classification gate is disabled; every mention is investigated"]
    });
  });

  it("tier 2 sees the text whole and its input cut at 100,000 characters", async () => {
    const seen: Array<{ text: number; raw: number }> = [];
    const tier2: Tier2Classifier = ({ text, input }) => Effect.sync(() => (seen.push({ text: text.length, raw: input.raw.length }), { decision: "suppress" as const, reason: "ok" }));
    const exact = "y".repeat(100_000);
    await Effect.runPromise(classifyMessage(exact, { ...NO_RULES, tier2 }));
    await Effect.runPromise(classifyMessage(`${exact}z`, { ...NO_RULES, tier2 }));
    expect(seen).toEqual([
      { text: 100_000, raw: 100_000 },
      { text: 100_001, raw: 100_000 }
    ]);
  });

  it("tier 2's investigate is kept as its own verdict, not a fail-open", async () => {
    const v = await Effect.runPromise(classifyMessage(AMBIGUOUS, { ...NO_RULES, tier2: () => Effect.succeed<Tier2Answer>({ decision: "investigate", reason: "" }) }));
    expect(v).toEqual({ decision: "investigate", tier: 2, reasons: ["no tier-1 rule decided", "tier 2 said investigate"] });
  });

  it("a tier-2 answer with no decision says so", async () => {
    const v = await Effect.runPromise(classifyMessage(AMBIGUOUS, { ...NO_RULES, tier2: () => Effect.succeed({ decision: "maybe" as unknown as "suppress", reason: "hmm" }) }));
    expect(v).toEqual({ decision: "investigate", tier: 2, rule: "fail-open", reasons: ["no tier-1 rule decided", "tier 2 gave no decision: investigating"] });
  });

  const failureReason = async (error: string): Promise<string> => {
    const v = await Effect.runPromise(classifyMessage(AMBIGUOUS, { ...NO_RULES, tier2: () => Effect.fail(new Error(error)) }));
    expect(v).toMatchObject({ decision: "investigate", tier: 2, rule: "fail-open" });
    const reason = v.reasons[1]!;
    const m = /^tier 2 failed \((.*)\): investigating so a real page is never dropped$/s.exec(reason);
    expect(m, reason).not.toBeNull();
    return m![1]!;
  };

  it("a tier-2 failure is described by the first line of the error, whole up to 160 characters", async () => {
    const short = await failureReason("ThrottlingException: rate exceeded\nat line two");
    expect(short).toContain("ThrottlingException: rate exceeded");
    expect(short).not.toContain("line two");
    expect(short.endsWith("…")).toBe(false);

    const described = (await failureReason("x")).length;
    const pad = (n: number) => "x".repeat(n);
    // The description's length grows with the message: find the message length that makes it exactly 160.
    const at160 = await failureReason(pad(1 + 160 - described));
    expect(at160.length).toBe(160);
    expect(at160.endsWith("…")).toBe(false);
    const at161 = await failureReason(pad(1 + 161 - described));
    expect(at161.length).toBe(158);
    expect(at161.endsWith("x…")).toBe(true);
  });
});

describe("classifyThread", () => {
  it("works with no runtime options", async () => {
    const t = await Effect.runPromise(makeGate().classifyThread(ALERT, "<@U0BOT> thanks, fixed it"));
    expect(t.basis).toBe("reply");
  });

  it("an investigating reply keeps its own reasons; a chatter reply's reason is quoted as the reply's", async () => {
    const gate = makeGate({ withoutBuiltins: true, rules: [suppressing("thanks")] });
    expect(await Effect.runPromise(gate.classifyThread("all good", "<@U0BOT> investigate please"))).toEqual({
      basis: "reply",
      verdict: { decision: "investigate", tier: 1, rule: "override", reasons: ['the message says "investigate", which always starts an investigation'] }
    });
    expect(await Effect.runPromise(gate.classifyThread(ALERT, "<@U0BOT> thanks all"))).toEqual({
      basis: "reply",
      verdict: { decision: "suppress", tier: 1, rule: "thanks", reasons: ["the reply in the thread: thanks said so"] }
    });
  });

  it("a reply decided by a rule that only calls the bot leaves it to the thread", async () => {
    for (const name of ["empty-mention", "greeting", "bot-usage", "test-or-ping", "test-message", "emoji-only", "plus-one", "question"]) {
      const tier2: Tier2Classifier = ({ text }) => Effect.succeed({ decision: text.startsWith("parent") ? "investigate" : "suppress", reason: "thread" });
      const gate = makeGate({ withoutBuiltins: true, rules: [{ name, priority: 1, evaluate: (input) => (input.body.includes("parent") ? undefined : { decision: "suppress", reason: name }) }] });
      const t = await Effect.runPromise(gate.classifyThread("parent says checkout is down", "<@U0BOT> reply", { tier2 }));
      expect({ name, basis: t.basis, decision: t.verdict.decision }).toEqual({ name, basis: "thread", decision: "investigate" });
    }
  });
});

describe("classifyMessage and classifyThreadMention honour rules and withoutBuiltins on their own", () => {
  it("withoutBuiltins alone drops the builtins", async () => {
    expect(await Effect.runPromise(classifyMessage(ALERT, { withoutBuiltins: true }))).toMatchObject({ tier: 1, rule: "fail-open" });
    expect((await Effect.runPromise(classifyMessage(ALERT))).rule).not.toBe("fail-open");
    const t = await Effect.runPromise(classifyThreadMention(ALERT, "<@U0BOT> hi", { withoutBuiltins: true }));
    expect(t.verdict).toMatchObject({ tier: 1, rule: "fail-open" });
  });

  it("rules alone are used", async () => {
    const rules = [suppressing("mine", -1)];
    expect(await Effect.runPromise(classifyMessage(ALERT, { rules }))).toMatchObject({ decision: "suppress", rule: "mine" });
    const t = await Effect.runPromise(classifyThreadMention(ALERT, "<@U0BOT> looking", { rules }));
    expect(t.verdict).toMatchObject({ decision: "suppress", rule: "mine" });
  });
});

describe("modelTier2: what it sends and how it reads the answer", () => {
  const reply = (over: Partial<ConverseResponse>): ConverseResponse => ({ modelId: "m", content: [], stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1 }, ...over });
  const fakeModel = (response: ConverseResponse) => {
    const received: Array<ConverseRequest> = [];
    const model: ModelPortShape = {
      provider: "fake",
      converse: (request) => Effect.sync(() => (received.push(request), response)),
      embed: () => Effect.die(new Error("not used"))
    };
    return { model, received };
  };
  const run = (response: ConverseResponse, text = "disk full on db-1", modelId?: string) => {
    const { model, received } = fakeModel(response);
    const tier2 = modelTier2(model, modelId === undefined ? {} : { modelId });
    return Effect.runPromise(
      tier2({ text, input: makeClassifierInput(text) }).pipe(
        Effect.match({ onFailure: (e) => ({ failed: e instanceof Error ? e.message : String(e) }), onSuccess: (answer) => ({ answer }) })
      )
    ).then((outcome) => ({ outcome, request: received[0]! }));
  };
  const structured = (value: unknown) => reply({ structured: value });

  it("sends the text as one user message, the prompt, the schema and the model id only when given", async () => {
    const { request } = await run(structured({ decision: "suppress", reason: "x" }), "disk full on db-1", "claude-x");
    expect(request.callSite).toBe("classifier");
    expect(request.modelId).toBe("claude-x");
    expect(request.messages).toEqual([{ role: "user", content: [{ type: "text", text: "disk full on db-1" }] }]);
    expect(request.system).toMatch(/on-call/);
    expect(request.system).toMatch(/"investigate"/);
    expect(request.system).toMatch(/"suppress"/);
    expect(request.responseSchema).toMatchObject({ name: "triage", schema: { required: ["decision", "reason"] } });
    const without = await run(structured({ decision: "suppress", reason: "x" }));
    expect("modelId" in without.request).toBe(false);
  });

  it("cuts the text at 4,000 characters with an ellipsis; exactly 4,000 go whole", async () => {
    const sent = async (text: string) => {
      const { request } = await run(structured({ decision: "suppress", reason: "x" }), text);
      const block = request.messages[0]!.content[0]!;
      return block.type === "text" ? block.text : "";
    };
    const exact = "a".repeat(4000);
    expect(await sent(exact)).toBe(exact);
    expect(await sent(`${exact}b`)).toBe(`${exact}…`);
  });

  it("reads a structured answer for either decision, the reason cut at 300", async () => {
    expect((await run(structured({ decision: "investigate", reason: "an outage" }))).outcome).toEqual({ answer: { decision: "investigate", reason: "model: an outage" } });
    const long = "r".repeat(400);
    expect((await run(structured({ decision: "suppress", reason: long }))).outcome).toEqual({ answer: { decision: "suppress", reason: `model: ${"r".repeat(300)}` } });
    expect((await run(structured({ decision: "suppress", reason: 42 }))).outcome).toEqual({ answer: { decision: "suppress", reason: "model: suppress" } });
  });

  it("uses a structured answer even when there is no text, and falls back to the text when the structured one is null", async () => {
    expect((await run(reply({ structured: { decision: "suppress", reason: "chat" }, content: [] }))).outcome).toEqual({ answer: { decision: "suppress", reason: "model: chat" } });
    const fromText = reply({ structured: null, content: [{ type: "text", text: 'sure: {"decision":"investigate","reason":"db down"}' }] });
    expect((await run(fromText)).outcome).toEqual({ answer: { decision: "investigate", reason: "model: db down" } });
  });

  it("reads the JSON object in the text from its first brace to its last, wherever it stands", async () => {
    const inText = (text: string) => run(reply({ content: [{ type: "text", text }] })).then((r) => r.outcome);
    expect(await inText(' {"decision":"suppress","reason":"chat"}')).toEqual({ answer: { decision: "suppress", reason: "model: chat" } });
    expect(await inText('{"decision":"investigate","reason":"db"} (that is my answer)')).toEqual({ answer: { decision: "investigate", reason: "model: db" } });
  });

  it("an answer with no clear decision is an error", async () => {
    expect((await run(structured({ decision: "maybe", reason: "unsure" }))).outcome).toEqual({ failed: "the model's answer was not a decision" });
    expect((await run(reply({ content: [{ type: "text", text: "no idea" }] }))).outcome).toEqual({ failed: "the model's answer was not a decision" });
  });
});

describe("compilePatternRules: validation", () => {
  const spec = (over: Partial<PatternRuleSpec> = {}): PatternRuleSpec => ({ name: "deploys", pattern: "^deployed build", decision: "suppress", priority: 150, ...over });
  const error = (specs: ReadonlyArray<PatternRuleSpec>) => {
    const r = compilePatternRules(specs);
    return Result.isFailure(r) ? { index: r.failure.index, name: r.failure.name, message: r.failure.message } : undefined;
  };

  it("compiles exactly the rules given", () => {
    const r = compilePatternRules([spec(), spec({ name: "other", pattern: "other" })]);
    expect(Result.isSuccess(r) ? r.success.map((x) => x.name) : r.failure.message).toEqual(["deploys", "other"]);
  });

  it("names the rule in the message, cut at 60 characters", () => {
    const long = "n".repeat(80);
    expect(error([spec({ name: long }), spec({ name: long })])).toEqual({
      index: 1,
      name: "n".repeat(60),
      message: `classifier.rules[1] (${"n".repeat(60)}): another rule has the same name; names must be unique`
    });
  });

  it("a rule with a blank or missing name, or a blank or missing pattern, is refused", () => {
    expect(error([spec({ name: "   " })])).toEqual({ index: 0, name: "   ", message: "classifier.rules[0] (   ): needs a name" });
    expect(error([spec({ name: undefined as unknown as string })])).toEqual({ index: 0, name: "", message: "classifier.rules[0]: needs a name" });
    expect(error([spec({ name: 42 as unknown as string })])).toEqual({ index: 0, name: "", message: "classifier.rules[0]: needs a name" });
    expect(error([spec({ pattern: "   " })])?.message).toBe("classifier.rules[0] (deploys): the pattern is empty");
    expect(error([spec({ pattern: 42 as unknown as string })])?.message).toBe("classifier.rules[0] (deploys): the pattern is empty");
  });

  it("a pattern of 500 characters is accepted, 501 is not", () => {
    expect(error([spec({ pattern: "a".repeat(500) })])).toBeUndefined();
    expect(error([spec({ pattern: "a".repeat(501) })])?.message).toBe("classifier.rules[0] (deploys): the pattern is longer than 500 characters");
  });

  it("nested quantifiers anywhere in the group are refused; a repeated group without one is fine", () => {
    for (const pattern of ["(ab+)+c", "(a+b)+c", "(x\\d*y)*z"]) expect(error([spec({ pattern })])?.message, pattern).toMatch(/nested quantifiers/);
    for (const pattern of ["(disk )+full", "(ab)+c", "a+b*c"]) expect(error([spec({ pattern })]), pattern).toBeUndefined();
  });

  it("the reason is the given one unless blank", () => {
    const reasonOf = (reason: string | undefined) => {
      const r = compilePatternRules([spec(reason === undefined ? {} : { reason })]);
      return Result.isSuccess(r) ? makeGate({ withoutBuiltins: true, rules: r.success }).tier1("<@U0BOT> deployed build 7").reasons : [r.failure.message];
    };
    expect(reasonOf(undefined)).toEqual(["matched classifier rule deploys"]);
    expect(reasonOf("")).toEqual(["matched classifier rule deploys"]);
    expect(reasonOf("   ")).toEqual(["matched classifier rule deploys"]);
    expect(reasonOf("our bot")).toEqual(["our bot"]);
  });
});
