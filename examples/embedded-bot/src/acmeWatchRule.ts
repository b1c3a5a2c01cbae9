import type { Tier1Rule } from "@sre-on-call/core";

/**
 * ACME's in-house monitor posts lines such as
 *   "ACME-WATCH ▲ checkout-api RED: p99 1.8s"
 *   "ACME-WATCH ▼ checkout-api GREEN"
 * Neither the severity words nor the arrows are known to the builtin rules, so the team adds
 * one tier-1 rule: RED and AMBER investigate, GREEN is chatter. Priority 90 puts it ahead of
 * the builtin alert-tool rules (100+).
 */
export const ACME_WATCH = /^ACME-WATCH [▲▼] ([a-z0-9][a-z0-9-]*) (RED|AMBER|GREEN)\b/;

export const acmeWatchRule: Tier1Rule = {
  name: "acme-watch",
  priority: 90,
  evaluate: (input) => {
    const m = ACME_WATCH.exec(input.body);
    if (m === null) return undefined;
    const [, service, state] = m;
    return state === "GREEN"
      ? { decision: "suppress", reason: `ACME-WATCH reports ${service} back to GREEN` }
      : { decision: "investigate", reason: `ACME-WATCH reports ${service} ${state}` };
  }
};
