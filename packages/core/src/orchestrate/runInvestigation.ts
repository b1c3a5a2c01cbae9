import { Cause, Clock, Duration, Effect, Exit, Fiber, Option, Queue, Schema } from "effect";
import type { AgentResult } from "../model/AgentResult.js";
import type { AlertContext } from "../model/AlertContext.js";
import type { CostLine, EvidenceState, InvestigationReport, ReportKind } from "../model/InvestigationReport.js";
import type { JsonRecord } from "../model/primitives.js";
import { ChatPlatform, type ChatPlatformShape, type Dialect, type OutgoingMessage, type PostedMessage } from "../ports/ChatPlatform.js";
import { type Specialist, Specialists } from "../ports/Specialist.js";
import { Telemetry } from "../ports/Telemetry.js";
import { TraceStore, type TraceEventType } from "../ports/TraceStore.js";
import { type AgentOutcome, buildReport, type Synthesis } from "../report/buildReport.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import { renderFailureNotice } from "../render/renderReport.js";
import { rankHypotheses } from "../report/rankHypotheses.js";

export interface SynthesisRequest {
  readonly alert: AlertContext;
  readonly kind: ReportKind;
  readonly outcomes: ReadonlyArray<AgentOutcome>;
}

/** What a routing step decided: the ids of the specialists to dispatch, and what deciding cost. */
export interface RouteDecision {
  readonly agents: ReadonlyArray<string>;
  readonly cost?: CostLine;
}

export type ProgressEvent =
  | { readonly type: "dispatched"; readonly agents: ReadonlyArray<string>; readonly skipped: ReadonlyArray<string>; readonly disabled: ReadonlyArray<string> }
  | { readonly type: "agent_done"; readonly agent: string; readonly state: EvidenceState; readonly durationMs: number; readonly findings: number; readonly error?: string }
  | { readonly type: "report_posted"; readonly kind: ReportKind; readonly messages: number }
  | { readonly type: "delivery_failed"; readonly kind: string; readonly error: string }
  | { readonly type: "cutoff"; readonly pending: ReadonlyArray<string> }
  | { readonly type: "stopped"; readonly pending: ReadonlyArray<string> };

export interface OrchestratorOptions {
  /** When the initial report is due, from the start (default 60 s). The alert's own deadline wins when earlier. */
  readonly reportAfter?: Duration.Input;
  /** Time kept before the report is due for synthesis and delivery (default 5 s). */
  readonly synthesisReserve?: Duration.Input;
  /** After this, from the start, agents still running are interrupted (default 300 s). */
  readonly hardCutoff?: Duration.Input;
  readonly render: (report: InvestigationReport, dialect: Dialect) => ReadonlyArray<OutgoingMessage>;
  /**
   * Optional routing (e.g. `routeSpecialists` with a model): which of the specialists that would
   * be dispatched actually are; the others are reported as skipped. Fails open: when it fails,
   * overruns the reserve, chooses none or names an unknown id, every one is dispatched.
   */
  readonly route?: (alert: AlertContext, candidates: ReadonlyArray<Specialist>) => Effect.Effect<RouteDecision>;
  /** Optional synthesis step; bounded by the reserve, and ignored when it fails or overruns. */
  readonly synthesize?: (request: SynthesisRequest) => Effect.Effect<Synthesis | undefined>;
  /** Progress for a terminal or a log; never allowed to break the investigation. */
  readonly onEvent?: (event: ProgressEvent) => Effect.Effect<void>;
  /** Post an acknowledgement listing the agents dispatched, and keep it updated (default true). */
  readonly announce?: boolean;
  /**
   * Completes when the host shuts down: the investigation stops waiting, interrupts the agents
   * still running (reported as stopped by the shutdown) and posts what has been answered at once,
   * instead of being interrupted with nothing posted. The synthesis of that report gets 2 s at most.
   */
  readonly stop?: Effect.Effect<void>;
  /**
   * Redacts untrusted text (builtin and configured patterns) before the orchestrator cuts it: the
   * report title, crash messages. Default the builtin patterns.
   */
  readonly redact?: (text: string) => string;
}

export interface InvestigationOutcome {
  readonly initial: InvestigationReport;
  readonly final: InvestigationReport;
  readonly enrichments: number;
  readonly deliveryFailures: number;
}

/** The investigation itself broke (not an agent): a failure notice was posted in the thread. */
export class InvestigationFailed extends Schema.TaggedError<InvestigationFailed>()("InvestigationFailed", {
  investigationId: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `investigation ${this.investigationId} failed: ${this.reason}`;
  }
}

const DEFAULT_REPORT_AFTER = Duration.seconds(60);
const DEFAULT_RESERVE = Duration.seconds(5);
const DEFAULT_CUTOFF = Duration.seconds(300);
/** At a shutdown the host is waiting: the partial report's synthesis gets this long at most. */
const STOP_SYNTHESIS_MS = 2000;

const failureState = (kind: string): EvidenceState =>
  kind === "timeout" ? "timeout" : kind === "unhealthy" || kind === "unavailable" ? "unhealthy" : "error";

const resultState = (r: AgentResult): EvidenceState =>
  r.status === "success" ? "ok" : r.status === "timeout" ? "timeout" : r.status === "unhealthy" ? "unhealthy" : "error";

/** Redacted first, then cut: a cut through a secret leaves a prefix no pattern recognises. */
const short = (text: string, redact: (text: string) => string, max = 300) => {
  const r = redact(text);
  return r.length > max ? `${r.slice(0, max - 1)}…` : r;
};

const defectMessage = (cause: Cause.Cause<unknown>): string => {
  const squashed = Cause.squash(cause);
  return squashed instanceof Error ? squashed.message : String(squashed);
};

/**
 * Runs one investigation: announces it in the alert's thread, fans out to every enabled
 * specialist at once, posts the initial report when all have answered or when the report
 * is due (whichever is first), posts each later answer as an enrichment until the hard
 * cutoff, then interrupts what is left and returns the final report. A slow, failing or
 * crashing agent never delays or breaks the others; a crash of the investigation itself
 * posts a failure notice with the investigation id.
 */
export const runInvestigation = (
  alert: AlertContext,
  options: OrchestratorOptions
): Effect.Effect<InvestigationOutcome, InvestigationFailed, ChatPlatform | Specialists> =>
  Effect.serviceOption(Telemetry).pipe(
    Effect.flatMap((telemetry) =>
      Option.isSome(telemetry)
        ? telemetry.value.span("investigation", { investigationId: alert.investigationId, source: alert.source, alertname: alert.entities.alertname }, investigate(alert, options))
        : investigate(alert, options)
    )
  );

const investigate = (
  alert: AlertContext,
  options: OrchestratorOptions
): Effect.Effect<InvestigationOutcome, InvestigationFailed, ChatPlatform | Specialists> =>
  Effect.gen(function* () {
    const chat = yield* ChatPlatform;
    const specialists = yield* Specialists;
    const redact = options.redact ?? redactSecrets;
    const trace = yield* Effect.serviceOption(TraceStore);
    const telemetry = yield* Effect.serviceOption(Telemetry);
    const thread = { channelId: alert.channelId, threadId: alert.messageId };

    const log = (level: "info" | "warn" | "error", message: string, fields: Record<string, unknown> = {}) =>
      Option.isSome(telemetry)
        ? telemetry.value.log(level, message, { investigationId: alert.investigationId, ...fields })
        : Effect.void;
    const record = (type: TraceEventType, data: JsonRecord) =>
      Option.isNone(trace)
        ? Effect.void
        : Clock.currentTimeMillis.pipe(
            Effect.flatMap((at) => trace.value.append({ investigationId: alert.investigationId, at, type, data })),
            Effect.catchCause((cause) => log("warn", "trace write failed", { error: defectMessage(cause) }))
          );
    const emit = (event: ProgressEvent) =>
      options.onEvent === undefined ? Effect.void : options.onEvent(event).pipe(Effect.catchCause(() => Effect.void));

    const start = yield* Clock.currentTimeMillis;
    const reserve = Duration.toMillis(options.synthesisReserve ?? DEFAULT_RESERVE);
    const dueAt = Math.max(start, Math.min(start + Duration.toMillis(options.reportAfter ?? DEFAULT_REPORT_AFTER), alert.deadline) - reserve);
    const cutoffAt = Math.max(dueAt, start + Duration.toMillis(options.hardCutoff ?? DEFAULT_CUTOFF));

    const dispatch: Array<Specialist> = [];
    const settled = new Map<string, AgentOutcome>();
    for (const s of specialists.enabled) {
      const skip = s.skipReason?.(alert);
      if (skip === undefined) dispatch.push(s);
      else settled.set(s.id, { agent: s.id, state: "skipped", error: skip });
    }
    for (const id of specialists.disabled) settled.set(id, { agent: id, state: "disabled" });
    const extraCost: Array<CostLine> = [];
    if (options.route !== undefined && dispatch.length > 1) {
      const candidates = [...dispatch];
      const decision = yield* Effect.suspend(() => options.route!(alert, candidates)).pipe(
        Effect.timeoutOption(Duration.millis(Math.max(1, reserve))),
        Effect.catchCause((cause) => log("warn", "routing failed", { error: defectMessage(cause) }).pipe(Effect.as(Option.none<RouteDecision>())))
      );
      if (Option.isSome(decision)) {
        if (decision.value.cost !== undefined) extraCost.push(decision.value.cost);
        const chosen = new Set(decision.value.agents);
        if (chosen.size > 0 && [...chosen].every((id) => candidates.some((s) => s.id === id))) {
          for (const s of candidates) if (!chosen.has(s.id)) settled.set(s.id, { agent: s.id, state: "skipped", error: "not selected by routing" });
          dispatch.splice(0, dispatch.length, ...candidates.filter((s) => chosen.has(s.id)));
        }
      }
    }
    const order = [...specialists.enabled.map((s) => s.id), ...specialists.disabled.filter((id) => !specialists.enabled.some((s) => s.id === id))];

    const outcomes = (pendingState: EvidenceState): ReadonlyArray<AgentOutcome> =>
      order.map((id) => settled.get(id) ?? { agent: id, state: pendingState });
    const pending = () => dispatch.filter((s) => !settled.has(s.id)).map((s) => s.id);

    if (Option.isSome(trace)) {
      yield* trace.value
        .open({ investigationId: alert.investigationId, channelId: alert.channelId, threadId: alert.messageId, startedAt: start })
        .pipe(Effect.catchCause((cause) => log("warn", "trace open failed", { error: defectMessage(cause) })));
    }
    const dispatchedIds = dispatch.map((s) => s.id);
    const skippedIds = [...settled.values()].filter((o) => o.state === "skipped").map((o) => o.agent);
    yield* record("dispatched", { agents: dispatchedIds, skipped: skippedIds, disabled: [...specialists.disabled], dueAt, cutoffAt });
    yield* emit({ type: "dispatched", agents: dispatchedIds, skipped: skippedIds, disabled: specialists.disabled });

    const announce = options.announce ?? true;
    const progressText = () => {
      const done = dispatch.filter((s) => settled.has(s.id)).length;
      return `🔎 Investigating \`${alert.investigationId}\` — ${done}/${dispatch.length} agents answered` +
        (dispatch.length > 0 ? ` (${dispatch.map((s) => `${s.id}${settled.has(s.id) ? " ✓" : " …"}`).join(", ")})` : "") +
        (skippedIds.length > 0 ? `; skipped: ${skippedIds.join(", ")}` : "") +
        (specialists.disabled.length > 0 ? `; disabled: ${specialists.disabled.join(", ")}` : "");
    };
    let deliveryFailures = 0;
    const noteDeliveryFailure = (kind: string, error: string) =>
      Effect.gen(function* () {
        deliveryFailures++;
        yield* record("delivery_failed", { kind, error });
        yield* log("error", "delivery failed", { kind, error });
        yield* emit({ type: "delivery_failed", kind, error });
      });
    const ack: Option.Option<PostedMessage> = announce
      ? yield* chat.postNotice(thread, progressText()).pipe(
          Effect.map(Option.some),
          Effect.catch((e) => noteDeliveryFailure("announcement", e.message).pipe(Effect.as(Option.none<PostedMessage>())))
        )
      : Option.none();
    const updateProgress = (text: string) =>
      Option.isNone(ack) ? Effect.void : chat.updateMessage(ack.value, { text }).pipe(Effect.catch(() => Effect.void));

    const queue = yield* Queue.unbounded<AgentOutcome>();
    const runAgent = (s: Specialist) =>
      Effect.gen(function* () {
        const t0 = yield* Clock.currentTimeMillis;
        yield* record("agent_request", { agent: s.id, deadline: dueAt });
        const exit = yield* Effect.exit(Effect.suspend(() => s.investigate(alert, { deadline: dueAt })));
        const durationMs = (yield* Clock.currentTimeMillis) - t0;
        const outcome: AgentOutcome = Exit.isSuccess(exit)
          ? { agent: s.id, state: resultState(exit.value), result: exit.value, durationMs, ...(exit.value.error !== undefined ? { error: exit.value.error } : {}) }
          : Option.match(Cause.findErrorOption(exit.cause), {
              onSome: (f) => ({ agent: s.id, state: failureState(f.kind), error: f.reason, durationMs }),
              onNone: () => ({ agent: s.id, state: "error" as const, error: `crashed: ${short(defectMessage(exit.cause), redact)}`, durationMs })
            });
        yield* Queue.offer(queue, outcome);
      });
    // Each agent in its own span (child of the investigation's) when telemetry traces.
    const spanned = (s: Specialist) =>
      Option.isSome(telemetry) ? telemetry.value.span("agent", { investigationId: alert.investigationId, agent: s.id }, runAgent(s)) : runAgent(s);
    const fibers = yield* Effect.forEach(dispatch, (s) => Effect.forkChild(spanned(s)));

    const settle = (o: AgentOutcome) =>
      Effect.gen(function* () {
        settled.set(o.agent, o);
        const findings = o.result?.findings.length ?? 0;
        yield* record("agent_response", {
          agent: o.agent,
          state: o.state,
          durationMs: o.durationMs ?? 0,
          findings,
          hypotheses: o.result?.hypotheses.length ?? 0,
          ...(o.error !== undefined ? { error: o.error } : {}),
          ...(o.result !== undefined ? { summary: o.result.summary } : {})
        });
        yield* emit({ type: "agent_done", agent: o.agent, state: o.state, durationMs: o.durationMs ?? 0, findings, ...(o.error !== undefined ? { error: o.error } : {}) });
      });
    // A shutdown (`options.stop`) ends every wait below at once; `stopped` tells why it ended.
    let stopped = false;
    const stopSignal = (options.stop ?? Effect.never).pipe(Effect.tap(() => Effect.sync(() => void (stopped = true))));
    const untilStopped = <A>(wait: Effect.Effect<Option.Option<A>>): Effect.Effect<Option.Option<A>> =>
      options.stop === undefined ? wait : Effect.raceFirst(wait, stopSignal.pipe(Effect.as(Option.none<A>())));
    const nextUntil = (until: number) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        if (stopped || now >= until) return Option.none<AgentOutcome>();
        return yield* untilStopped(Queue.take(queue).pipe(Effect.timeoutOption(Duration.millis(until - now))));
      });

    while (pending().length > 0) {
      const next = yield* nextUntil(dueAt);
      if (Option.isNone(next)) break;
      yield* settle(next.value);
      if (pending().length > 0) yield* updateProgress(progressText());
    }

    const report = (kind: ReportKind, pendingState: EvidenceState) =>
      Effect.gen(function* () {
        const current = outcomes(pendingState);
        // Once stopped, the synthesis gets a short budget; until then a shutdown cuts it short.
        const bounded = <A>(step: Effect.Effect<A>) =>
          stopped
            ? step.pipe(Effect.timeoutOption(Duration.millis(Math.max(1, Math.min(reserve, STOP_SYNTHESIS_MS)))))
            : untilStopped(step.pipe(Effect.timeoutOption(Duration.millis(Math.max(1, reserve)))));
        const synthesis =
          options.synthesize === undefined
            ? undefined
            : Option.getOrUndefined(
                yield* (Option.isSome(telemetry)
                  ? telemetry.value.span("synthesis", { investigationId: alert.investigationId, kind }, options.synthesize({ alert, kind, outcomes: current }))
                  : options.synthesize({ alert, kind, outcomes: current })
                ).pipe(
                  bounded,
                  Effect.catchCause((cause) => log("warn", "synthesis failed", { error: defectMessage(cause) }).pipe(Effect.as(Option.none())))
                )
              );
        const generatedAt = yield* Clock.currentTimeMillis;
        return buildReport({ alert, kind, generatedAt, outcomes: current, redact, ...(synthesis !== undefined ? { synthesis } : {}), ...(extraCost.length > 0 ? { extraCost } : {}) });
      });
    const deliver = (r: InvestigationReport) =>
      Effect.gen(function* () {
        if (Option.isSome(trace)) {
          yield* trace.value.putReport(r).pipe(Effect.catchCause((cause) => log("warn", "trace report write failed", { error: defectMessage(cause) })));
        }
        const messages = options.render(r, chat.dialect);
        let posted = 0;
        for (const m of messages) {
          const ok = yield* chat.postInThread(thread, m).pipe(
            Effect.as(true),
            Effect.catch((e) => noteDeliveryFailure(r.kind, e.message).pipe(Effect.as(false)))
          );
          if (ok) posted++;
        }
        yield* record("report_posted", { kind: r.kind, messages: messages.length, posted });
        yield* emit({ type: "report_posted", kind: r.kind, messages: posted });
      });

    /**
     * The host is shutting down: settle what has already answered, stop the rest and post the
     * partial report now (or, when the initial report is out, say who was stopped).
     */
    const stopNow = (posted: InvestigationReport | undefined, enrichments: number) =>
      Effect.gen(function* () {
        for (let next = yield* Queue.poll(queue); Option.isSome(next); next = yield* Queue.poll(queue)) yield* settle(next.value);
        const leftover = pending();
        yield* Fiber.interruptAll(fibers);
        for (const id of leftover) settled.set(id, { agent: id, state: "interrupted", error: "the server shut down before it answered" });
        yield* record("decision", { shutdown: true, stopped: leftover, report: posted === undefined ? "partial" : "final" });
        yield* emit({ type: "stopped", pending: leftover });
        const who = `${leftover.join(", ")} answered; ${leftover.length === 1 ? "it was" : "they were"} stopped.`;
        const cut = yield* report("final", "interrupted");
        const partial: InvestigationReport = leftover.length === 0 ? cut : { ...cut, summary: `Partial report: the server shut down before ${who} ${cut.summary}` };
        if (posted === undefined) {
          yield* deliver(partial);
          yield* updateProgress(`⏹ Investigation \`${alert.investigationId}\` — stopped by a shutdown; partial report below.`);
        } else {
          if (leftover.length > 0) {
            yield* chat
              .postNotice(thread, `⏹ The server shut down before ${who} The report${enrichments > 0 ? "s above have" : " above has"} everything the other agents found.`)
              .pipe(Effect.catch((e) => noteDeliveryFailure("shutdown notice", e.message)));
          }
          if (Option.isSome(trace)) {
            yield* trace.value.putReport(partial).pipe(Effect.catchCause((cause) => log("warn", "trace report write failed", { error: defectMessage(cause) })));
          }
        }
        return { initial: posted ?? partial, final: partial, enrichments, deliveryFailures };
      });
    if (stopped) return yield* stopNow(undefined, 0);

    const initial = yield* report("initial", "running");
    yield* record("decision", {
      report: "initial",
      answered: dispatch.length - pending().length,
      pending: pending(),
      topHypothesis: initial.hypotheses[0]?.title ?? null
    });
    yield* deliver(initial);
    yield* updateProgress(
      pending().length === 0
        ? `✅ Investigation \`${alert.investigationId}\` — all ${dispatch.length} agents answered; report below.`
        : `${progressText()} — initial report below; later answers will follow as updates.`
    );

    let enrichments = 0;
    while (pending().length > 0) {
      const next = yield* nextUntil(cutoffAt);
      if (Option.isNone(next)) break;
      yield* settle(next.value);
      const late = next.value;
      const full = yield* report("enrichment", "running");
      const lateHypotheses = new Set((late.result?.hypotheses ?? []).map((h) => h.id));
      const top = full.hypotheses[0];
      const enrichment: InvestigationReport = {
        ...full,
        summary:
          `Update: ${late.agent} ${late.state === "ok" ? `answered with ${late.result?.findings.length ?? 0} findings` : `ended: ${late.state}${late.error !== undefined ? ` (${late.error})` : ""}`}. ` +
          (top !== undefined && top.title !== initial.hypotheses[0]?.title ? `Most likely cause is now: ${top.title} (${top.confidence} confidence).` : "Most likely cause unchanged."),
        agents: full.agents.filter((a) => a.agent === late.agent),
        hypotheses: rankHypotheses(full.hypotheses.filter((h, i) => i === 0 || lateHypotheses.has(h.id)))
      };
      yield* deliver(enrichment);
      enrichments++;
    }
    if (stopped) return yield* stopNow(initial, enrichments);

    const leftover = pending();
    if (leftover.length > 0) {
      yield* Fiber.interruptAll(fibers);
      for (const id of leftover) settled.set(id, { agent: id, state: "timeout", error: "no answer before the hard cutoff" });
      yield* record("decision", { cutoff: true, timedOut: leftover });
      yield* emit({ type: "cutoff", pending: leftover });
      yield* chat
        .postNotice(thread, `⏱ Hard cutoff reached: ${leftover.join(", ")} did not answer and ${leftover.length === 1 ? "was" : "were"} stopped.`)
        .pipe(Effect.catch((e) => noteDeliveryFailure("cutoff notice", e.message)));
    }
    const finalReport = yield* report("final", "timeout");
    if (Option.isSome(trace)) {
      yield* trace.value.putReport(finalReport).pipe(Effect.catchCause((cause) => log("warn", "trace report write failed", { error: defectMessage(cause) })));
    }
    return { initial, final: finalReport, enrichments, deliveryFailures };
  }).pipe(
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause);
      const reason = short(defectMessage(cause), options.redact ?? redactSecrets);
      return Effect.gen(function* () {
        const chat = yield* Effect.serviceOption(ChatPlatform);
        if (Option.isSome(chat)) yield* postFailureNotice(chat.value, alert, reason);
        return yield* Effect.fail(new InvestigationFailed({ investigationId: alert.investigationId, reason }));
      });
    })
  );

/** The failure notice goes through the renderer, so a defect message is escaped like any untrusted text. */
const postFailureNotice = (chat: ChatPlatformShape, alert: AlertContext, reason: string) =>
  Effect.suspend(() => {
    const [first] = renderFailureNotice({ investigationId: alert.investigationId, reason: redactSecrets(reason) }, chat.dialect);
    return chat.postNotice({ channelId: alert.channelId, threadId: alert.messageId }, first?.text ?? `Investigation ${alert.investigationId} failed.`);
  }).pipe(Effect.catch(() => Effect.void));
