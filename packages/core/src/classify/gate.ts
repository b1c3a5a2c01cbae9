import type { Duration} from "effect";
import { Effect } from "effect";
import { redactSecrets } from "../redact/redactSecrets.js";
import { BUILTIN_RULES } from "./builtinRules.js";
import { type ClassifierInput, makeClassifierInput } from "./ClassifierInput.js";
import type { RuleOutcome, Tier1Rule } from "./Tier1Rule.js";
import type { Decision, Tier1Verdict, Verdict } from "./Verdict.js";

/** What tier 2 answers for a message tier 1 could not decide. */
export interface Tier2Answer {
  readonly decision: Decision;
  readonly reason: string;
}

/**
 * Tier 2: a (usually model-backed) classifier for messages tier 1 leaves undecided. It may
 * fail in any way; the gate then investigates (fail-open).
 */
export type Tier2Classifier = (request: { readonly text: string; readonly input: ClassifierInput }) => Effect.Effect<Tier2Answer, unknown>;

export interface GateOptions {
  /** The kill switch: `false` investigates every message (tier 0). Default `true`. */
  readonly enabled?: boolean;
  /** Extra tier-1 rules, merged with the builtins by priority; a rule named like a builtin replaces it. */
  readonly rules?: ReadonlyArray<Tier1Rule>;
  /** Drop the builtin rules entirely (only `rules` run). The gate's guards still hold. */
  readonly withoutBuiltins?: boolean;
  /** Tier 2 for undecided messages. Without it, undecided messages are investigated. */
  readonly tier2?: Tier2Classifier;
  /** Upper bound on a tier-2 call; past it the gate investigates. Default 5 s. */
  readonly tier2Timeout?: Duration.Input;
}

/** The parts of the gate that may change per call (config reloads, the kill switch). */
export type GateRuntime = Pick<GateOptions, "enabled" | "tier2" | "tier2Timeout">;

/** A thread mention's verdict, and whose words decided it: the operator's own reply, or the thread (its parent with the reply). */
export interface ThreadVerdict {
  readonly verdict: Verdict;
  readonly basis: "reply" | "thread";
}

export interface Gate {
  /** Tier 1 alone: pure, synchronous, total. */
  readonly tier1: (text: string) => Tier1Verdict;
  /** The full gate: kill switch, guards, tier 1, then tier 2 or fail-open. Never fails. */
  readonly classify: (text: string, runtime?: GateRuntime) => Effect.Effect<Verdict>;
  /**
   * A mention in a thread. The operator's own words decide first: trouble in them investigates ("this is broken since
   * the deploy, please look" under a chatter parent), a recovery, thanks, hand-off or apology in them is chatter ("thanks,
   * fixed" under an alert). Words that only call the bot (a bare mention, "hi", "can you look?", "same here", an emoji)
   * leave it to the thread: the parent with the reply, through the full gate.
   */
  readonly classifyThread: (parent: string, reply: string, runtime?: GateRuntime) => Effect.Effect<ThreadVerdict>;
  /** The rules in the order they run. */
  readonly rules: ReadonlyArray<Tier1Rule>;
}

const OVERRIDE = "investigate";
const MAX_INPUT = 100_000;

/** Merges extension rules into the builtins: same name replaces, then stable sort by priority. */
export const mergeRules = (builtins: ReadonlyArray<Tier1Rule>, extra: ReadonlyArray<Tier1Rule>): ReadonlyArray<Tier1Rule> => {
  const names = new Set(extra.map((r) => r.name));
  const merged = [...builtins.filter((r) => !names.has(r.name)), ...extra];
  return merged
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index)
    .map((x) => x.rule);
};

const runRule = (rule: Tier1Rule, input: ClassifierInput): RuleOutcome | undefined => {
  try {
    const outcome = rule.evaluate(input);
    if (outcome === undefined || outcome === null) return undefined;
    if (outcome.decision !== "investigate" && outcome.decision !== "suppress") return undefined;
    return outcome;
  } catch (error) {
    // A throwing extension rule must not drop a page: its vote becomes "investigate".
    return { decision: "investigate", reason: `rule "${rule.name}" failed (${error instanceof Error ? error.message : String(error)}); investigating to be safe` };
  }
};

/**
 * Builds a gate. The guards come before any rule, so they hold with every extension:
 * the word "investigate" always investigates, and a mention with no other text is chatter.
 */
export const makeGate = (options: Omit<GateOptions, "enabled" | "tier2" | "tier2Timeout"> = {}): Gate => {
  const rules = mergeRules(options.withoutBuiltins === true ? [] : BUILTIN_RULES, options.rules ?? []);

  const tier1 = (text: string): Tier1Verdict => {
    const raw = typeof text === "string" ? text : String(text);
    const input = makeClassifierInput(raw.length > MAX_INPUT ? raw.slice(0, MAX_INPUT) : raw);
    if (input.words.includes(OVERRIDE)) {
      return { decision: "investigate", rule: "override", reasons: ['the message says "investigate", which always starts an investigation'] };
    }
    if (input.body.trim() === "") {
      return { decision: "suppress", rule: "empty-mention", reasons: ["a mention with no other text"] };
    }
    for (const rule of rules) {
      const outcome = runRule(rule, input);
      if (outcome !== undefined) return { decision: outcome.decision, rule: rule.name, reasons: [outcome.reason] };
    }
    return { decision: "undecided", reasons: ["no tier-1 rule decided"] };
  };

  const classify = (text: string, gate?: GateRuntime): Effect.Effect<Verdict> => {
    if (gate?.enabled === false) {
      return Effect.succeed({ decision: "investigate", tier: 0, rule: "kill-switch", reasons: ["the classification gate is disabled; every mention is investigated"] });
    }
    const first = tier1(text);
    if (first.decision !== "undecided") {
      return Effect.succeed({ decision: first.decision, tier: 1, reasons: first.reasons, ...(first.rule !== undefined ? { rule: first.rule } : {}) });
    }
    const tier2 = gate?.tier2;
    if (tier2 === undefined) {
      return Effect.succeed({ decision: "investigate", tier: 1, rule: "fail-open", reasons: [...first.reasons, "no tier 2 configured: ambiguous messages are investigated"] });
    }
    return Effect.suspend(() => tier2({ text, input: makeClassifierInput(text.length > MAX_INPUT ? text.slice(0, MAX_INPUT) : text) })).pipe(
      Effect.timeout(gate?.tier2Timeout ?? "5 seconds"),
      Effect.map(
        (answer): Verdict =>
          answer.decision === "suppress" || answer.decision === "investigate"
            ? { decision: answer.decision, tier: 2, reasons: [...first.reasons, answer.reason || `tier 2 said ${answer.decision}`] }
            : { decision: "investigate", tier: 2, rule: "fail-open", reasons: [...first.reasons, "tier 2 gave no decision: investigating"] }
      ),
      Effect.catchCause((cause) =>
        Effect.succeed<Verdict>({
          decision: "investigate",
          tier: 2,
          rule: "fail-open",
          reasons: [...first.reasons, `tier 2 failed (${describeCause(cause)}): investigating so a real page is never dropped`]
        })
      )
    );
  };

  const classifyThread = (parent: string, reply: string, gate?: GateRuntime): Effect.Effect<ThreadVerdict> => {
    const own = gate?.enabled === false ? undefined : tier1(reply);
    if (own !== undefined && (own.decision === "investigate" || (own.decision === "suppress" && !DEFERS_TO_THREAD.has(own.rule ?? "")))) {
      const reasons = own.decision === "suppress" ? [`the reply in the thread: ${own.reasons[0] ?? "conversation"}`] : own.reasons;
      return Effect.succeed({ basis: "reply", verdict: { decision: own.decision, tier: 1, reasons, ...(own.rule !== undefined ? { rule: own.rule } : {}) } });
    }
    return classify(`${parent}\n${reply}`, gate).pipe(Effect.map((verdict): ThreadVerdict => ({ basis: "thread", verdict })));
  };

  return { tier1, rules, classify, classifyThread };
};

/**
 * Replies that only call the bot into a thread: the thread's parent decides. Every other chatter verdict on the reply
 * (a recovery, thanks, a hand-off, an apology) is the operator's own answer and is kept.
 */
const DEFERS_TO_THREAD = new Set(["empty-mention", "greeting", "bot-usage", "test-or-ping", "test-message", "emoji-only", "plus-one", "question"]);

// Redacted before the cut: a model error may echo the message, and a cut secret is unrecognisable.
const describeCause = (cause: unknown): string => {
  const text = redactSecrets(String(cause));
  const first = text.split("\n")[0] ?? "error";
  return first.length > 160 ? `${first.slice(0, 157)}…` : first;
};

const defaultGate = makeGate();

/** Tier 1 with the builtin rules. */
export const classifyTier1 = (text: string): Tier1Verdict => defaultGate.tier1(text);

/** A mention in a thread (see `Gate.classifyThread`), with the same options as `classifyMessage`. */
export const classifyThreadMention = (parent: string, reply: string, options: GateOptions = {}): Effect.Effect<ThreadVerdict> => {
  const gate = options.rules === undefined && options.withoutBuiltins !== true ? defaultGate : makeGate(options);
  return gate.classifyThread(parent, reply, options);
};

/**
 * The classification gate. With no options: builtin rules, no tier 2, fail-open.
 * Never fails; every verdict carries its tier and reasons.
 */
export const classifyMessage = (text: string, options: GateOptions = {}): Effect.Effect<Verdict> => {
  const gate = options.rules === undefined && options.withoutBuiltins !== true ? defaultGate : makeGate(options);
  return gate.classify(text, options);
};
