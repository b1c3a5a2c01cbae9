/** What the gate does with a mention: start an investigation, or stay quiet. */
export type Decision = "investigate" | "suppress";

/** Which tier decided: 0 = the gate is disabled by the kill switch, 1 = deterministic rules, 2 = the model. */
export type Tier = 0 | 1 | 2;

export interface Verdict {
  readonly decision: Decision;
  readonly tier: Tier;
  /** Why, in words an on-call engineer can read in a log line. Never empty. */
  readonly reasons: ReadonlyArray<string>;
  /** The rule that decided, when a tier-1 rule (or a gate guard) did. */
  readonly rule?: string;
}

export type Tier1Decision = Decision | "undecided";

export interface Tier1Verdict {
  readonly decision: Tier1Decision;
  readonly reasons: ReadonlyArray<string>;
  readonly rule?: string;
}
