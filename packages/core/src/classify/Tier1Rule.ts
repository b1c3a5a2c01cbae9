import type { ClassifierInput } from "./ClassifierInput.js";
import type { Decision } from "./Verdict.js";

export interface RuleOutcome {
  readonly decision: Decision;
  readonly reason: string;
}

/**
 * A deterministic tier-1 rule. `evaluate` must be pure, total and linear in the input size:
 * it returns a decision with its reason, or `undefined` to let the next rule look. Rules run
 * in ascending `priority`; the first decision wins. The builtin rules use these bands:
 *
 * - 100–199: alert-tool notifications: first those that are never trouble whatever words they carry
 *   (heartbeats, test notifications) and Nagios/Icinga notification types, then firing formats; at 145
 *   the current state a tool reports; then resolved, acknowledged/closed/paused, CI/CD and change-feed
 *   success notices
 * - 200–299: conversational chatter (recoveries, small talk, thanks, apologies, hand-offs, meetings, tests, bot usage)
 * - 300–399: alert signals in free text (severity, resource failure states, "me too" with trouble, outage words, links, emoji)
 *
 * A rule whose `name` equals a builtin's replaces that builtin.
 */
export interface Tier1Rule {
  readonly name: string;
  readonly priority: number;
  readonly evaluate: (input: ClassifierInput) => RuleOutcome | undefined;
}
