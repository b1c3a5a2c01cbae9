import {
  type ChatMessage,
  type ChatPlatformShape,
  type CommandHandler,
  type Dialect,
  escapeDiscord,
  escapeMarkdown,
  escapeSlack,
  formatUtc,
  redactDeep,
  redactingIncidentMemory,
  redactingTraceStore,
  redactSecrets,
  type IncidentMemoryShape,
  type InvestigationReport,
  type Redactor,
  splitText,
  type Trace,
  type TraceStoreShape
} from "@sre-on-call/core";
import { Effect, Option } from "effect";

export interface PostmortemOptions {
  readonly trace: TraceStoreShape;
  readonly memory?: IncidentMemoryShape;
  readonly now?: () => number;
  /**
   * Redacts the draft and what is recorded (a root cause is typed by a human, who may paste a
   * credential): the builtin and configured patterns. Default the builtin patterns.
   */
  readonly redactor?: Pick<Redactor, "redact" | "redactDeep">;
}

const BUILTIN: Pick<Redactor, "redact" | "redactDeep"> = { redact: (t) => redactSecrets(t), redactDeep: (v) => redactDeep(v) };

const escapeFor = (dialect: Dialect): ((t: string) => string) => (dialect === "slack" ? escapeSlack : dialect === "discord" ? escapeDiscord : dialect === "markdown" ? escapeMarkdown : (t) => t);
const bold = (dialect: Dialect, t: string) => (dialect === "slack" ? `*${t}*` : `**${t}**`);

/** `root cause: …` (or `cause: …`) in the command's text is the operator confirming the cause. */
export const confirmedCause = (text: string, redact: (text: string) => string = redactSecrets): string | undefined => {
  const m = /(?:^|\s)(?:root cause|cause)\s*[:=-]\s*(.+)$/is.exec(text.trim());
  const cause = m?.[1]?.trim();
  // Redacted before the cut: a cut through a secret leaves a prefix no pattern recognises.
  return cause === undefined || cause === "" ? undefined : redact(cause).slice(0, 500);
};

const lastReport = (trace: Trace): InvestigationReport | undefined => trace.reports.at(-1);

/** The draft, as plain lines in the chat's dialect (untrusted text escaped). */
export const postmortemDraft = (
  report: InvestigationReport,
  trace: Trace,
  thread: ReadonlyArray<ChatMessage>,
  cause: { readonly text: string; readonly confirmed: boolean } | undefined,
  dialect: Dialect,
  redact: (text: string) => string = redactSecrets
): string => {
  // Untrusted text is redacted, then cut, then escaped: escaping or cutting first can hide a secret from the patterns.
  const escape = escapeFor(dialect);
  const esc = (t: string) => escape(redact(t));
  const top = report.hypotheses[0];
  const lines: Array<string> = [];
  lines.push(`📝 ${bold(dialect, `Postmortem draft — ${esc(report.title)}`)}`);
  lines.push(`Investigation \`${report.investigationId}\` · severity ${report.severity} · detected ${formatUtc(report.detectedAt)}`);
  lines.push("");
  lines.push(bold(dialect, "Summary"));
  lines.push(esc(report.summary));
  lines.push("");
  lines.push(bold(dialect, "Impact"));
  lines.push(esc(report.impact));
  lines.push("");
  lines.push(bold(dialect, "Root cause"));
  if (cause !== undefined) lines.push(`${esc(cause.text)} (${cause.confirmed ? "confirmed by the on-call engineer" : "suspected: the investigation's top hypothesis, not yet confirmed"})`);
  else lines.push("Not established: the investigation found no hypothesis. Add `root cause: …` to /postmortem once it is known.");
  if (top?.chain !== undefined && top.chain.length > 1) lines.push(`Chain: ${top.chain.map(esc).join(" → ")}`);
  lines.push("");
  lines.push(bold(dialect, "Timeline (UTC)"));
  const events: Array<readonly [number, string]> = [
    [report.detectedAt, "alert detected"],
    ...trace.events.filter((e) => e.type === "report_posted" || e.type === "delivery_failed" || e.type === "dispatched").map((e) => [e.at, e.type.replace("_", " ")] as const),
    ...thread.filter((m) => !m.isBot).map((m) => [m.timestamp, `${esc(m.authorName ?? m.authorId ?? "someone")}: ${escape(redact(m.text).replace(/\s+/g, " ").slice(0, 200))}`] as const),
    ...thread.filter((m) => m.isBot && /^✅ Resolved/.test(m.text)).map((m) => [m.timestamp, "alert resolved"] as const)
  ];
  for (const [at, what] of [...events].sort((a, b) => a[0] - b[0]).slice(0, 40)) lines.push(`• ${formatUtc(at)} — ${what}`);
  lines.push("");
  if (top !== undefined) {
    lines.push(bold(dialect, "Evidence"));
    const byId = new Map(report.agents.flatMap((a) => a.findings).map((f) => [f.id, f] as const));
    for (const id of top.supportingFindings.slice(0, 5)) {
      const f = byId.get(id);
      if (f !== undefined) lines.push(`• [${f.agent}] ${escape(redact(f.content).slice(0, 300))}`);
    }
    lines.push("");
  }
  if (report.actions.length > 0) {
    lines.push(bold(dialect, "Actions taken / recommended"));
    for (const a of report.actions.slice(0, 6)) lines.push(`• ${esc(a)}`);
    lines.push("");
  }
  lines.push(bold(dialect, "Follow-ups"));
  lines.push("• What would have caught this earlier?  • What made it worse?  • Owners and dates for the fixes.");
  return lines.join("\n");
};

const limitFor = (dialect: Dialect) => (dialect === "discord" ? 2000 : 3000);

/**
 * `/postmortem` in (or pointing at) an alert's thread: drafts a postmortem from the thread's
 * investigation (its final report and trace) and the humans' messages in the thread, posts it in
 * the thread, and records the outcome for incident history — `root cause: …` in the command
 * confirms the cause; without it the top hypothesis is recorded as suspected only.
 */
export const makePostmortemCommand = (options: PostmortemOptions): CommandHandler => (request, chat: ChatPlatformShape) =>
  Effect.gen(function* () {
    const now = options.now ?? (() => Date.now());
    const redactor = options.redactor ?? BUILTIN;
    const store = redactingTraceStore(options.trace, redactor.redactDeep);
    const memory = options.memory === undefined ? undefined : redactingIncidentMemory(options.memory, redactor.redactDeep);
    const threadId = request.threadId ?? request.targetMessageId;
    if (threadId === undefined) return "Run /postmortem inside the alert's thread, or pass a link to the alert's message.";
    const ids = yield* store.findByThread(request.channelId, threadId).pipe(Effect.orElseSucceed(() => [] as ReadonlyArray<string>));
    const id = ids.at(-1);
    if (id === undefined) return "I found no investigation in that thread; /postmortem works on threads I investigated.";
    const trace = yield* store.get(id).pipe(Effect.map(Option.getOrUndefined), Effect.orElseSucceed(() => undefined));
    const report = trace === undefined ? undefined : lastReport(trace);
    if (trace === undefined || report === undefined) return `Investigation ${id} has no report yet; try again when it has posted one.`;
    const thread = yield* chat
      .readHistory(request.channelId, { start: trace.startedAt - 3_600_000, end: now() }, { limit: 500 })
      .pipe(
        Effect.map((ms) => ms.filter((m) => m.threadId === threadId && m.messageId !== threadId)),
        Effect.orElseSucceed(() => [] as ReadonlyArray<ChatMessage>)
      );
    const confirmed = confirmedCause(request.text, redactor.redact);
    const top = report.hypotheses[0];
    const cause = confirmed !== undefined ? { text: confirmed, confirmed: true } : top !== undefined ? { text: top.title, confirmed: false } : undefined;
    const draft = redactor.redact(postmortemDraft(report, trace, thread, cause, chat.dialect, redactor.redact));
    const posted = yield* Effect.forEach(splitText(draft, limitFor(chat.dialect)), (text) => chat.postInThread({ channelId: request.channelId, threadId }, { text }), { concurrency: 1 }).pipe(
      Effect.as(true),
      Effect.catch(() => Effect.succeed(false))
    );
    let recorded = false;
    if (memory !== undefined && confirmed !== undefined) {
      recorded = yield* memory
        .resolve(id, { resolvedAt: now(), rootCause: confirmed, ...(request.userId !== undefined ? { notes: `confirmed by ${request.userId} with /postmortem` } : {}) })
        .pipe(Effect.orElseSucceed(() => false));
    }
    return [
      posted ? "Postmortem draft posted in the thread." : "I could not post the draft in the thread (chat error); try again.",
      confirmed !== undefined
        ? recorded
          ? "Root cause recorded: similar alerts will be matched with it."
          : "The root cause could not be recorded in incident history."
        : "Add `root cause: …` to /postmortem to record the confirmed cause for incident history."
    ].join(" ");
  });
