import type { Severity } from "../model/primitives.js";

const TABLE: ReadonlyArray<readonly [RegExp, Severity]> = [
  [/^(critical|crit|fatal|emergency|emerg|page|disaster|blocker|p0|p1|sev-?0|sev-?1|s1)$/, "critical"],
  [/^(high|error|err|major|alert|urgent|p2|sev-?2|s2)$/, "high"],
  [/^(warning|warn|medium|moderate|average|p3|sev-?3|s3)$/, "medium"],
  [/^(low|minor|p4|sev-?4|s4|notice)$/, "low"],
  [/^(info|informational|none|ok|debug|p5|sev-?5|s5)$/, "info"]
];

/**
 * Maps the severity words alerting tools use onto the report's scale. Warnings map to
 * `medium`, not `info`: a warning that pages someone still deserves attention.
 */
export const severityFromLabel = (label: string | undefined): Severity | undefined => {
  if (label === undefined) return undefined;
  const v = label.trim().toLowerCase();
  for (const [re, s] of TABLE) if (re.test(v)) return s;
  return undefined;
};
