import { type ChatMessage, classifyTier1 } from "@sre-on-call/core";

/** Tier-1 rules that recognise an alerting tool's notification (rather than a person's words). */
const TOOL_FIRING = new Set([
  "alertmanager-firing",
  "grafana-alerting",
  "datadog-triggered",
  "cloudwatch-alarm",
  "pagerduty-incident",
  "opsgenie-alert",
  "sentry-issue",
  "uptime-down",
  "kubernetes-event"
]);
const TOOL_RESOLVED = new Set(["tool-resolved"]);

/** Words people and CD tools use to announce a change. Matched on lower-case text. */
const CHANGE =
  /\b(?:deployed|deploying|redeployed|deploy(?:ment)? (?:of|to)|rolled (?:out|back)|rolling (?:out|back)|rollout (?:of|to|started|complete[d]?)|rollback|reverted|reverting|released|releasing|release v?\d|shipped|shipping|merged|promoted|bumped|upgraded|upgrading|downgraded|hotfix|helm (?:upgrade|install|rollback)|argo ?cd|argo rollouts?|sync (?:succeeded|started|completed)|synced|config(?:uration)? change|feature flag|flag (?:enabled|disabled|flipped|turned)|scaled (?:up|down|to)|migration (?:ran|started|completed|applied)|applied (?:terraform|migration)|terraform apply)\b/;
const VERSION = /\bv?\d+\.\d+(?:\.\d+)?(?:[-+][a-z0-9.]+)?\b/i;
/** `registry/repo:tag`: a path is required so a clock time (`14:05`) is not taken for a tag. */
const IMAGE_TAG = /\b[a-z0-9][a-z0-9.-]*(?:\/[a-z0-9._-]+)+:[a-z0-9][a-z0-9._-]*/i;
/** What this bot's own analyses and notices say of themselves; they may quote an alert's text. */
const OWN_REPORT = /\b(?:initial analysis|final analysis|investigation|investigating|snapshot)\b/i;
const BACKWARDS = /\b(?:rolled back|rolling back|rollback|reverted|reverting|downgraded)\b/;

export type MessageKind =
  /** An alerting tool (or this bot relaying one) says an alert fires. */
  | "firing"
  | "resolved"
  /** Someone or some CD tool announces a deploy, rollout, merge, config or flag change. */
  | "change"
  /** A person describes something broken. */
  | "symptom"
  /** This bot's own post that is not a relayed alert: an acknowledgement, a report, a notice. */
  | "own"
  | "other";

export interface Categorized {
  readonly kind: MessageKind;
  /** For changes: the version or image tag it names, and whether it undoes an earlier one. */
  readonly version?: string;
  readonly rollback?: boolean;
  /** The tier-1 rule that recognised an alert or a symptom. */
  readonly rule?: string;
}

export const categorizeMessage = (message: ChatMessage, botUserId: string | undefined): Categorized => {
  const own = botUserId !== undefined && message.authorId === botUserId;
  if (own && OWN_REPORT.test(message.text)) return { kind: "own" };
  const verdict = classifyTier1(message.text);
  const rule = verdict.rule;
  if (rule !== undefined && verdict.decision === "investigate" && TOOL_FIRING.has(rule)) return { kind: "firing", rule };
  if (rule !== undefined && TOOL_RESOLVED.has(rule)) return { kind: "resolved", rule };
  if (own) return { kind: "own" };
  const lower = message.text.toLowerCase();
  if (CHANGE.test(lower)) {
    const version = VERSION.exec(message.text)?.[0] ?? IMAGE_TAG.exec(message.text)?.[0];
    return { kind: "change", ...(version !== undefined ? { version } : {}), rollback: BACKWARDS.test(lower) };
  }
  if (message.isBot) return verdict.decision === "investigate" && rule !== undefined ? { kind: "firing", rule } : { kind: "other" };
  if (verdict.decision === "investigate" && rule !== undefined && rule !== "override") return { kind: "symptom", rule };
  return { kind: "other" };
};
