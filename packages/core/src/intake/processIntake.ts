import { Effect, Schedule } from "effect";
import { classifyMessage, classifyThreadMention, type GateOptions } from "../classify/gate.js";
import type { Verdict } from "../classify/Verdict.js";
import type { AlertContext } from "../model/AlertContext.js";
import type { CommandRequest } from "../model/CommandRequest.js";
import { normalizeChatText } from "../parse/normalizeChatText.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import { code, type Line, raw } from "../render/document.js";
import { renderNotice, untrustedLink } from "../render/notice.js";
import { investigationIdFor } from "../parse/investigationIdFor.js";
import { parseChatAlert } from "../parse/parseChatAlert.js";
import { TEST_NOTIFICATION_HINT } from "../parse/parseGrafanaLegacyWebhook.js";
import type { ChatMessage, ChatPlatformShape, ThreadRef } from "../ports/ChatPlatform.js";
import type { DedupStoreShape } from "../ports/DedupStore.js";
import type { Attributes, TelemetryShape } from "../ports/Telemetry.js";
import type { IntakeEvent } from "./IntakeEvent.js";

/** Where an alert without a chat message of its own (a webhook alert) is posted. */
export interface AlertRoute {
  readonly platform: string;
  readonly channelId: string;
}

export interface IntakeSettings {
  /** ± minutes around the alert that agents look at. Default 5. */
  readonly windowMinutes?: number;
  /** When the initial report is due after receipt, ms. Default 60 000. */
  readonly deadlineMs?: number;
  /** How long delivery ids and investigated messages are remembered. Default 24 h. */
  readonly dedupTtlSeconds?: number;
  /** Answer pings and questions about the bot with a one-line hint instead of silence. Default true. */
  readonly chatterHint?: boolean;
  /** Where webhook alerts go, by their labels. */
  readonly route?: (alert: AlertContext) => AlertRoute | undefined;
  /**
   * At most this many alerts of one webhook delivery are investigated (most severe first); the
   * rest are listed in one notice. Default 20.
   */
  readonly maxAlertsPerPayload?: number;
  /** At most this many investigations start per minute from one source (alertmanager, grafana, slack…). Default 30. */
  readonly maxInvestigationsPerMinute?: number;
}

export type CommandHandler = (request: CommandRequest, chat: ChatPlatformShape) => Effect.Effect<string>;

export interface IntakeDeps {
  /** Chat platforms by name (`slack`, `discord`, `console`…). */
  readonly chats: Readonly<Record<string, ChatPlatformShape | undefined>>;
  readonly dedup: DedupStoreShape;
  /** Gate options (kill switch, extension rules, tier 2). */
  readonly gate?: GateOptions;
  /**
   * Starts the investigation in the background and returns at once: intake must answer the
   * platform within its deadline, long before the report is ready.
   */
  readonly launch: (alert: AlertContext, chat: ChatPlatformShape) => Effect.Effect<void>;
  readonly commands?: Partial<Record<"snapshot" | "postmortem", CommandHandler>>;
  readonly settings?: IntakeSettings;
  readonly telemetry?: TelemetryShape;
  readonly now?: () => number;
  /**
   * Redacts secrets from untrusted text before it is posted (the builtin patterns plus
   * `redaction.patterns`). Default: the builtin patterns.
   */
  readonly redact?: (text: string) => string;
}

/** What intake did with one event or alert; the HTTP layer turns it into a status code. */
export type IntakeOutcome =
  | { readonly _tag: "Investigating"; readonly investigationId: string; readonly channelId: string; readonly threadId: string }
  | { readonly _tag: "Suppressed"; readonly verdict: Verdict }
  | { readonly _tag: "Duplicate"; readonly key: string }
  | { readonly _tag: "AlreadyInvestigated"; readonly investigationId: string }
  | { readonly _tag: "ResolvedPosted"; readonly investigationId: string }
  | { readonly _tag: "Replied"; readonly text: string }
  | { readonly _tag: "Ignored"; readonly reason: string }
  /** Not investigated because a configured bound was reached (alerts per delivery, investigations per minute); said in the channel. */
  | { readonly _tag: "Capped"; readonly reason: string }
  /** Nothing was started and the sender should retry (chat or store outage): answer 5xx. */
  | { readonly _tag: "Failed"; readonly reason: string; readonly retryable: boolean };

interface Claimed {
  readonly investigationId: string;
  readonly platform: string;
  readonly channelId: string;
  readonly threadId: string;
  /** `pending` while the alert is being posted (with `at`), `posted` after, `failed` when posting failed. */
  readonly state: "pending" | "posted" | "failed";
  readonly at?: number;
  /** The platform delivery that claimed it: a redelivery of the same event is a silent duplicate. */
  readonly eventId?: string;
}

/** A `pending` claim older than this is treated as failed: its owner died before posting. */
const PENDING_GRACE_MS = 60_000;

const DAY = 24 * 3600;
const MINUTE_MS = 60_000;
export const DEFAULT_MAX_ALERTS_PER_PAYLOAD = 20;
export const DEFAULT_MAX_INVESTIGATIONS_PER_MINUTE = 30;
/** How many distinct alert names a capped-alerts notice lists before "and N more". */
const CAPPED_NAMES_SHOWN = 10;

/**
 * Alerts that fire all the time on purpose, to prove the alerting pipeline works: kube-prometheus'
 * Watchdog ("This is an alert meant to ensure that the entire alerting pipeline is functional")
 * and InfoInhibitor (inhibits info alerts), and the dead man's switch names teams give them.
 */
const HEARTBEATS: ReadonlySet<string> = new Set(["watchdog", "infoinhibitor", "deadmansswitch", "deadmanssnitch"]);

/** Why a webhook alert is not trouble to investigate, or undefined when it is. */
const notTrouble = (alert: AlertContext): string | undefined => {
  const name = (alert.labels["alertname"] ?? "").replace(/[^a-z]/gi, "").toLowerCase();
  if (HEARTBEATS.has(name)) return `${alert.labels["alertname"]} is a heartbeat: it always fires to prove the alerting pipeline works`;
  if (alert.hints.includes(TEST_NOTIFICATION_HINT)) return "a test notification from Grafana's contact point: the webhook works";
  return undefined;
};

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 0, page: 0, error: 1, high: 1, major: 1, warning: 2, medium: 2, minor: 3, low: 3, info: 4, none: 5 };
const severityRank = (alert: AlertContext): number => SEVERITY_RANK[(alert.entities.severity ?? alert.labels["severity"] ?? "").toLowerCase()] ?? 2;

/**
 * Investigations started per source in the last minute (a sliding window). In memory: it bounds
 * what one process starts, which is what one request can make it spend.
 */
const makeStartLimiter = (perMinute: number, now: () => number) => {
  const started = new Map<string, Array<number>>();
  return {
    /** Takes a slot for `source` when one is free. */
    take: (source: string): boolean => {
      const t = now();
      const recent = (started.get(source) ?? []).filter((at) => t - at < MINUTE_MS);
      if (recent.length >= perMinute) {
        started.set(source, recent);
        return false;
      }
      recent.push(t);
      started.set(source, recent);
      return true;
    }
  };
};

const encode = (c: Claimed): string => JSON.stringify(c);
const decode = (raw: string | undefined): Claimed | undefined => {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<Claimed>;
    return typeof v.investigationId === "string" && typeof v.channelId === "string" && typeof v.threadId === "string"
      ? {
          investigationId: v.investigationId,
          platform: v.platform ?? "",
          channelId: v.channelId,
          threadId: v.threadId,
          state: v.state === "failed" || v.state === "pending" ? v.state : "posted",
          ...(typeof v.at === "number" ? { at: v.at } : {}),
          ...(typeof v.eventId === "string" ? { eventId: v.eventId } : {})
        }
      : undefined;
  } catch {
    return undefined;
  }
};

const errorText = (e: unknown): string => (e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e));

const USAGE_RULES = new Set(["bot-usage", "test-or-ping", "empty-mention"]);
const USAGE_HINT: Line = [
  raw("I'm here. Mention me with an alert (or in an alert's thread) and I'll investigate it; react with the trigger emoji on any message, or say "),
  code("investigate"),
  raw(" to force an investigation.")
];

/** The one-line reply to a mention the gate judged to be chatter. A reason may quote the message: it stays untrusted. */
const hintFor = (verdict: Verdict): Line =>
  verdict.rule !== undefined && USAGE_RULES.has(verdict.rule)
    ? USAGE_HINT
    : [raw("Not investigating ("), verdict.reasons[0] ?? "looks like conversation", raw("). Say "), code("investigate"), raw(" to start one anyway.")];

/**
 * The intake pipeline for chat events and webhook alerts: de-duplicates deliveries and
 * targets, reads thread parents, runs the classification gate, builds the `AlertContext` and
 * launches the investigation. Never fails: every problem becomes an outcome (and a store
 * outage fails open — a duplicate investigation is better than a lost page).
 */
export const makeIntake = (deps: IntakeDeps) => {
  const now = deps.now ?? (() => Date.now());
  const settings = deps.settings ?? {};
  const redact = deps.redact ?? redactSecrets;
  const perMinute = settings.maxInvestigationsPerMinute ?? DEFAULT_MAX_INVESTIGATIONS_PER_MINUTE;
  const limiter = makeStartLimiter(perMinute, now);
  const rateReason = (source: string) =>
    `${perMinute} investigations from ${source} have already started in the last minute (intake.max_investigations_per_minute)`;
  /**
   * Every notice intake posts goes through here: untrusted parts (alert text, chat text, reasons)
   * are redacted, then escaped for the chat's dialect, so none can ping a channel or disguise a link.
   */
  const notice = (chat: ChatPlatformShape, line: Line): string =>
    renderNotice(chat.dialect, line.map((part) => (typeof part === "string" ? redact(part) : part)));
  const ttl = settings.dedupTtlSeconds ?? DAY;
  const log = (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) =>
    deps.telemetry?.log(level, message, fields) ?? Effect.void;

  /** Claims a key; a store failure counts as claimed (fail-open) and is logged. */
  /**
   * Claims a key. A failing store is retried briefly (throttling, a busy table); if it still
   * fails, the claim counts as won (fail-open): a duplicate investigation beats a lost page.
   */
  const claim = (key: string, value: string) =>
    deps.dedup.putIfAbsent(key, value, ttl).pipe(
      Effect.retry({ times: 3, schedule: Schedule.exponential("20 millis") }),
      Effect.catch((e) => log("warn", "dedup store unavailable; continuing without de-duplication", { key, error: errorText(e) }).pipe(Effect.as({ claimed: true as const })))
    );

  const remember = (key: string, value: string) =>
    deps.dedup.put(key, value, ttl).pipe(Effect.catch((e) => log("warn", "dedup store write failed", { key, error: errorText(e) })));

  const alertOptions = (hints: ReadonlyArray<string>) => ({
    now: now(),
    ...(settings.windowMinutes !== undefined ? { windowMinutes: settings.windowMinutes } : {}),
    ...(settings.deadlineMs !== undefined ? { deadlineMs: settings.deadlineMs } : {}),
    hints
  });

  const start = (alert: AlertContext, chat: ChatPlatformShape): Effect.Effect<IntakeOutcome> =>
    deps.launch(alert, chat).pipe(
      Effect.as<IntakeOutcome>({ _tag: "Investigating", investigationId: alert.investigationId, channelId: alert.channelId, threadId: alert.messageId }),
      Effect.catchCause((cause) => Effect.succeed<IntakeOutcome>({ _tag: "Failed", reason: `could not start the investigation: ${String(cause).split("\n")[0]}`, retryable: true }))
    );

  /** Investigates one chat message (the target), once per TTL unless forced. */
  const investigateMessage = (
    chat: ChatPlatformShape,
    target: { readonly channelId: string; readonly messageId: string; readonly text: string; readonly timestamp: number },
    options: {
      readonly force: boolean;
      readonly hints: ReadonlyArray<string>;
      readonly source: "slack" | "discord" | "cli";
      readonly rerunKey?: string;
      readonly eventId?: string;
    }
  ): Effect.Effect<IntakeOutcome> =>
    Effect.gen(function* () {
      const baseId = investigationIdFor(chat.platform, target.channelId, target.messageId);
      const targetKey = `target:${chat.platform}:${target.channelId}:${target.messageId}`;
      const record: Claimed = {
        investigationId: baseId,
        platform: chat.platform,
        channelId: target.channelId,
        threadId: target.messageId,
        state: "posted",
        ...(options.eventId !== undefined ? { eventId: options.eventId } : {})
      };
      // One durable claim per investigated message; it also recognises the platform's redeliveries.
      const claimed = yield* claim(targetKey, encode(record));
      let investigationId = baseId;
      if (!claimed.claimed) {
        const existing = decode(claimed.existing);
        if (options.eventId !== undefined && existing?.eventId === options.eventId) return { _tag: "Duplicate", key: targetKey } as const;
        if (!options.force && existing?.state !== "failed") {
          yield* chat
            .postNotice(
              { channelId: target.channelId, threadId: target.messageId },
              notice(chat, [raw("Already investigated in this thread ("), code(existing?.investigationId ?? baseId), raw("). Mention me with "), code("investigate"), raw(" to run it again.")])
            )
            .pipe(Effect.ignore, Effect.forkDetach);
          return { _tag: "AlreadyInvestigated", investigationId: existing?.investigationId ?? baseId } as const;
        }
        if (options.force) {
          investigationId = investigationIdFor(chat.platform, target.channelId, target.messageId, options.rerunKey ?? String(now()));
          // The re-run now owns the claim, so a redelivery of this event is recognised too.
          yield* remember(targetKey, encode({ ...record, investigationId }));
        }
      }
      // Only the delivery that won the claim takes a slot, so redeliveries cost nothing; one turned
      // away releases its claim (state failed) and can be investigated later.
      if (!limiter.take(chat.platform)) {
        yield* remember(targetKey, encode({ ...record, investigationId, state: "failed" }));
        const reason = rateReason(chat.platform);
        yield* chat
          .postNotice(
            { channelId: target.channelId, threadId: target.messageId },
            notice(chat, [raw("⏸ Not investigating right now: "), reason, raw(". Mention me with "), code("investigate"), raw(" here in a minute to start it.")])
          )
          .pipe(Effect.ignore, Effect.forkDetach);
        return { _tag: "Capped", reason } as const;
      }
      const parsed = parseChatAlert({
        source: options.source,
        channelId: target.channelId,
        messageId: target.messageId,
        text: target.text,
        timestamp: target.timestamp,
        ...alertOptions(options.hints)
      });
      return yield* start({ ...parsed, investigationId }, chat);
    });

  const classify = (text: string) => classifyMessage(text, deps.gate ?? {});

  const onMention = (event: Extract<IntakeEvent, { _tag: "Mention" }>, chat: ChatPlatformShape): Effect.Effect<IntakeOutcome> =>
    Effect.gen(function* () {
      const inThread = event.threadId !== undefined && event.threadId !== event.messageId;
      let target = { channelId: event.channelId, messageId: event.messageId, text: event.text, timestamp: event.timestamp };
      let verdict: Verdict | undefined;
      const hints: Array<string> = [];
      if (inThread) {
        const parent = yield* chat.readThreadParent(event.channelId, event.threadId!).pipe(Effect.option);
        if (parent._tag === "Some") {
          const note = normalizeChatText(event.text);
          // The operator's own words decide first; when they report the trouble, they lead the alert text.
          const thread = yield* classifyThreadMention(parent.value.text, event.text, deps.gate ?? {});
          verdict = thread.verdict;
          const replyLed = thread.basis === "reply" && verdict.rule !== "override";
          const text = replyLed ? `${event.text}\n${parent.value.text}` : parent.value.text;
          target = { channelId: event.channelId, messageId: parent.value.messageId, text, timestamp: parent.value.timestamp };
          if (note !== "" && !replyLed) hints.push(`Operator note: ${note}`);
        } else {
          yield* log("warn", "could not read the thread parent; investigating the mention itself", { channelId: event.channelId, threadId: event.threadId });
          target = { ...target, messageId: event.threadId! };
          hints.push("The thread's first message could not be read; only the operator's words are known.");
        }
      }
      verdict ??= yield* classify(event.text);
      yield* log("info", "classified mention", { channelId: event.channelId, messageId: event.messageId, decision: verdict.decision, tier: verdict.tier, rule: verdict.rule });
      if (verdict.decision === "suppress") {
        // Chatter burns no investigation key; one hint per message (a retried delivery posts nothing more).
        if (settings.chatterHint ?? true) {
          const hintKey = `hint:${chat.platform}:${event.channelId}:${event.messageId}`;
          const first = yield* claim(hintKey, String(now()));
          if (first.claimed) {
            // Posted after intake answers: the acknowledgement never waits for the chat API.
            yield* chat.postNotice({ channelId: event.channelId, threadId: event.threadId ?? event.messageId }, notice(chat, hintFor(verdict))).pipe(Effect.ignore, Effect.forkDetach);
          }
        }
        return { _tag: "Suppressed", verdict } as const;
      }
      return yield* investigateMessage(chat, target, {
        force: verdict.rule === "override",
        hints,
        source: event.platform,
        rerunKey: event.messageId,
        ...(event.eventId !== undefined ? { eventId: event.eventId } : {})
      });
    });

  const onReaction = (event: Extract<IntakeEvent, { _tag: "Reaction" }>, chat: ChatPlatformShape): Effect.Effect<IntakeOutcome> =>
    chat.readMessage(event.channelId, event.messageId).pipe(
      Effect.matchEffect({
        onFailure: (e): Effect.Effect<IntakeOutcome> =>
          Effect.succeed(
            e.notFound === true
              ? { _tag: "Ignored", reason: `the reacted message ${event.messageId} is not visible to the bot` }
              : { _tag: "Failed", reason: e.message, retryable: e.retryable }
          ),
        onSuccess: (message: ChatMessage) =>
          investigateMessage(
            chat,
            { channelId: message.channelId, messageId: message.threadId ?? message.messageId, text: message.text, timestamp: message.timestamp },
            { force: false, hints: [`Requested with the :${event.reaction}: reaction.`], source: event.platform }
          )
      })
    );

  const onCommand = (event: Extract<IntakeEvent, { _tag: "Command" }>, chat: ChatPlatformShape): Effect.Effect<IntakeOutcome> => {
    const request = event.request;
    if (request.command === "investigate") {
      if (request.targetMessageId !== undefined) {
        return chat.readMessage(request.channelId, request.targetMessageId).pipe(
          Effect.matchEffect({
            onFailure: (e): Effect.Effect<IntakeOutcome> => Effect.succeed({ _tag: "Replied", text: `I cannot read that message (${e.reason}).` }),
            onSuccess: (message) =>
              investigateMessage(
                chat,
                { channelId: message.channelId, messageId: message.threadId ?? message.messageId, text: message.text, timestamp: message.timestamp },
                { force: true, hints: request.text.trim() === "" ? [] : [`Operator note: ${request.text.trim()}`], source: sourceOf(request.platform), rerunKey: String(request.requestedAt) }
              )
          })
        );
      }
      if (request.text.trim() === "") return Effect.succeed({ _tag: "Replied", text: "Tell me what to investigate: `/investigate text: <the alert or symptom>`, or use the message menu → Investigate." });
      // A typed alert has no message of its own: post it, and thread the investigation under it.
      // The requester is named, never pinged through the text: only a well-formed user id becomes a mention.
      const requester = request.userId !== undefined && /^[A-Za-z0-9]{1,32}$/.test(request.userId) ? [raw(` by <@${request.userId}>`)] : [];
      return chat.postMessage(request.channelId, { text: notice(chat, [raw("Investigation requested"), ...requester, raw(": "), request.text.trim()]) }).pipe(
        Effect.matchEffect({
          onFailure: (e): Effect.Effect<IntakeOutcome> => Effect.succeed({ _tag: "Failed", reason: e.message, retryable: e.retryable }),
          onSuccess: (posted) =>
            investigateMessage(
              chat,
              { channelId: posted.channelId, messageId: posted.messageId, text: request.text, timestamp: request.requestedAt },
              { force: false, hints: [], source: sourceOf(request.platform) }
            )
        })
      );
    }
    const handler = deps.commands?.[request.command];
    if (handler === undefined) {
      return Effect.succeed({ _tag: "Replied", text: `/${request.command === "snapshot" ? "sre-snapshot" : request.command} is not available in this deployment yet.` });
    }
    return handler(request, chat).pipe(Effect.map((text): IntakeOutcome => ({ _tag: "Replied", text })));
  };

  /** One verified, decoded chat event. `deliveryKey` (the platform's event id) drops the platform's retries. */
  const handleChatEvent = (event: IntakeEvent, platform: string): Effect.Effect<IntakeOutcome> =>
    Effect.gen(function* () {
      if (event._tag === "Ignored") return { _tag: "Ignored", reason: event.reason } as const;
      const chat = deps.chats[platform];
      if (chat === undefined) return { _tag: "Ignored", reason: `no ${platform} chat is configured` } as const;
      // Mentions are de-duplicated after the gate (chatter burns no key); reactions and commands right away.
      // Commands too: a signed request replayed within the signature window must not run twice.
      const eventId = event._tag === "Reaction" || event._tag === "Command" ? event.eventId : undefined;
      if (eventId !== undefined) {
        const key = `delivery:${platform}:${eventId}`;
        const first = yield* claim(key, String(now()));
        if (!first.claimed) return { _tag: "Duplicate", key } as const;
      }
      switch (event._tag) {
        case "Mention":
          return yield* onMention(event, chat);
        case "Reaction":
          return yield* onReaction(event, chat);
        case "Command":
          return yield* onCommand(event, chat);
      }
    }).pipe(Effect.catchCause((cause) => Effect.succeed<IntakeOutcome>({ _tag: "Failed", reason: String(cause).split("\n")[0] ?? "intake failed", retryable: true })));

  /** The message that anchors a webhook alert's thread: every part from the payload is untrusted. */
  const alertMessage = (chat: ChatPlatformShape, alert: AlertContext): string => {
    const sev = alert.entities.severity !== undefined ? ` (${alert.entities.severity})` : "";
    const first = alert.alertText.split("\n")[0] ?? "";
    const lines: Array<Line> = [[raw(`🚨 ${/^\[FIRING/i.test(first) ? "" : "[FIRING] "}`), `${first}${first.includes(`(${alert.entities.severity ?? ""})`) ? "" : sev}`]];
    if (alert.generatorUrl !== undefined) lines.push([raw("Source: "), untrustedLink("", alert.generatorUrl)]);
    lines.push([raw("Investigation "), code(alert.investigationId), raw(" starting; the report follows in this thread.")]);
    return lines.map((line) => notice(chat, line)).join("\n");
  };

  /**
   * Alerts from a webhook (Alertmanager, Grafana): each firing alert is posted to its routed
   * channel and investigated in that thread, once per (fingerprint, start); a resolved alert
   * is announced in its investigation's thread. When posting fails, the claim is marked failed
   * so the sender's retry gets another chance.
   */
  const handleAlerts = (alerts: ReadonlyArray<AlertContext>): Effect.Effect<ReadonlyArray<IntakeOutcome>> =>
    Effect.gen(function* () {
      const max = Math.max(0, settings.maxAlertsPerPayload ?? DEFAULT_MAX_ALERTS_PER_PAYLOAD);
      // Most severe first, so a cap drops warnings before pages; resolved notices are bounded the same way.
      const byPriority = alerts.map((alert, index) => ({ alert, index })).sort((a, b) => severityRank(a.alert) - severityRank(b.alert) || a.index - b.index);
      const firing = byPriority.filter((x) => x.alert.status !== "resolved");
      const resolved = byPriority.filter((x) => x.alert.status === "resolved");
      const taken = [...firing.slice(0, max), ...resolved.slice(0, max)];
      const over = [...firing.slice(max), ...resolved.slice(max)];
      const outcomes: Array<IntakeOutcome> = new Array<IntakeOutcome>(alerts.length);
      const payloadReason = `this delivery carried ${alerts.length} alerts and at most ${max} are investigated per delivery (intake.max_alerts_per_payload)`;
      for (const x of over) outcomes[x.index] = { _tag: "Capped", reason: payloadReason };
      const handled = yield* Effect.forEach(taken, (x) => handleAlert(x.alert), { concurrency: 4 });
      taken.forEach((x, i) => (outcomes[x.index] = handled[i]!));
      const capped = alerts.map((alert, i) => ({ alert, outcome: outcomes[i]! })).filter((x) => x.outcome._tag === "Capped" && x.alert.status !== "resolved");
      if (capped.length > 0) yield* announceCapped(byPriority.map((x) => ({ alert: x.alert, outcome: outcomes[x.index]! })), capped);
      return outcomes;
    });

  /**
   * One notice per routed channel listing the firing alerts that were not investigated and why:
   * in the thread of an alert of the same delivery investigated there, else in the channel.
   */
  const announceCapped = (
    /** Every alert of the delivery with its outcome, most severe first: the notice goes under the first investigated one. */
    handled: ReadonlyArray<{ readonly alert: AlertContext; readonly outcome: IntakeOutcome }>,
    capped: ReadonlyArray<{ readonly alert: AlertContext; readonly outcome: IntakeOutcome }>
  ) =>
    Effect.gen(function* () {
      const byChannel = new Map<string, { route: AlertRoute; items: Array<{ alert: AlertContext; reason: string }> }>();
      for (const { alert, outcome } of capped) {
        const route = settings.route?.(alert);
        if (route === undefined || deps.chats[route.platform] === undefined) continue;
        const key = `${route.platform}\u0000${route.channelId}`;
        const entry = byChannel.get(key) ?? { route, items: [] };
        entry.items.push({ alert, reason: outcome._tag === "Capped" ? outcome.reason : "" });
        byChannel.set(key, entry);
      }
      for (const { route, items } of byChannel.values()) {
        const chat = deps.chats[route.platform]!;
        const counts = new Map<string, number>();
        for (const { alert } of items) {
          const name = alert.entities.alertname ?? alert.alertText.split("\n")[0]?.slice(0, 80) ?? "alert";
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        const names = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        const listed: Line = names.slice(0, CAPPED_NAMES_SHOWN).flatMap(([name, n], i): Line => [raw(i === 0 ? "" : ", "), name, raw(n > 1 ? ` ×${n}` : "")]);
        const more = names.length > CAPPED_NAMES_SHOWN ? [raw(`, and ${names.length - CAPPED_NAMES_SHOWN} more`)] : [];
        const reasons = [...new Set(items.map((x) => x.reason))];
        const line: Line = [
          raw(`⚠️ ${items.length} alert${items.length === 1 ? " was" : "s were"} not investigated: `),
          reasons.join("; "),
          raw(". Not investigated: "),
          ...listed,
          ...more,
          raw(". Mention me with "),
          code("investigate"),
          raw(" on an alert to look at it.")
        ];
        const anchored = handled.find(({ alert, outcome }) => outcome._tag === "Investigating" && outcome.channelId === route.channelId && settings.route?.(alert)?.platform === route.platform)?.outcome;
        const text = notice(chat, line);
        const posted =
          anchored?._tag === "Investigating"
            ? chat.postNotice({ channelId: anchored.channelId, threadId: anchored.threadId }, text)
            : chat.postMessage(route.channelId, { text });
        yield* posted.pipe(Effect.catch((e) => log("error", "could not post the capped-alerts notice", { channelId: route.channelId, capped: items.length, error: e.message })));
        yield* log("warn", "alerts not investigated: a bound was reached", { platform: route.platform, channelId: route.channelId, capped: items.length, reasons });
      }
    });

  const handleAlert = (alert: AlertContext): Effect.Effect<IntakeOutcome> =>
    Effect.gen(function* () {
      const key = `alert:${alert.investigationId}`;
      const quiet = notTrouble(alert);
      if (quiet !== undefined) return { _tag: "Ignored", reason: quiet } as const;
      if (alert.status === "resolved") {
        const existing = decode(yield* deps.dedup.get(key).pipe(Effect.orElseSucceed(() => undefined)));
        if (existing === undefined || existing.state !== "posted") return { _tag: "Ignored", reason: `resolved alert ${alert.investigationId} was not investigated here` } as const;
        const chat = deps.chats[existing.platform];
        if (chat === undefined) return { _tag: "Ignored", reason: `no ${existing.platform} chat is configured` } as const;
        const doneKey = `resolved:${alert.investigationId}`;
        const first = yield* claim(doneKey, String(now()));
        if (!first.claimed) return { _tag: "Duplicate", key: doneKey } as const;
        const thread: ThreadRef = { channelId: existing.channelId, threadId: existing.threadId };
        return yield* chat.postNotice(thread, notice(chat, [raw("✅ Resolved: "), alert.alertText.split("\n")[0] ?? ""])).pipe(
          Effect.as<IntakeOutcome>({ _tag: "ResolvedPosted", investigationId: alert.investigationId }),
          Effect.catch((e) => Effect.succeed<IntakeOutcome>({ _tag: "Failed", reason: e.message, retryable: e.retryable }))
        );
      }
      const route = settings.route?.(alert);
      if (route === undefined) return { _tag: "Ignored", reason: `no route for alert ${alert.entities.alertname ?? alert.investigationId}; set routing.default in config.yaml` } as const;
      const chat = deps.chats[route.platform];
      if (chat === undefined) return { _tag: "Failed", reason: `the route names ${route.platform}, which is not configured`, retryable: false } as const;
      const pending: Claimed = { investigationId: alert.investigationId, platform: route.platform, channelId: route.channelId, threadId: "", state: "pending", at: now() };
      const claimed = yield* claim(key, encode(pending));
      if (!claimed.claimed) {
        const existing = decode(claimed.existing);
        const abandoned = existing?.state === "pending" && now() - (existing.at ?? 0) > PENDING_GRACE_MS;
        if (existing?.state !== "failed" && !abandoned) return { _tag: "Duplicate", key } as const;
        // A failed or abandoned post: this delivery takes over (the sender's retry must not be lost).
        yield* remember(key, encode(pending));
      }
      // Only the delivery that won the claim takes a slot; one turned away releases the claim so the sender's next re-send can be investigated.
      if (!limiter.take(alert.source)) {
        yield* remember(key, encode({ ...pending, state: "failed" }));
        return { _tag: "Capped", reason: rateReason(alert.source) } as const;
      }
      const posted = yield* chat.postMessage(route.channelId, { text: alertMessage(chat, alert) }).pipe(Effect.result);
      if (posted._tag === "Failure") {
        yield* remember(key, encode({ ...pending, state: "failed" }));
        yield* log("error", "could not post a webhook alert; the sender should retry", { investigationId: alert.investigationId, error: posted.failure.message });
        return { _tag: "Failed", reason: posted.failure.message, retryable: true } as const;
      }
      yield* remember(key, encode({ ...pending, threadId: posted.success.messageId, state: "posted" }));
      return yield* start({ ...alert, channelId: posted.success.channelId, messageId: posted.success.messageId }, chat);
    }).pipe(Effect.catchCause((cause) => Effect.succeed<IntakeOutcome>({ _tag: "Failed", reason: String(cause).split("\n")[0] ?? "intake failed", retryable: true })));

  // Each delivery is one `intake` span when telemetry traces (decode, gate, dedup and launch happen inside it).
  const span = <A>(attributes: Attributes, effect: Effect.Effect<A>): Effect.Effect<A> => (deps.telemetry === undefined ? effect : deps.telemetry.span("intake", attributes, effect));

  return {
    handleChatEvent: (event: IntakeEvent, platform: string) => span({ platform, event: event._tag }, handleChatEvent(event, platform)),
    handleAlerts: (alerts: ReadonlyArray<AlertContext>) => span({ platform: "webhook", alerts: alerts.length }, handleAlerts(alerts))
  };
};

export type Intake = ReturnType<typeof makeIntake>;

const sourceOf = (platform: string): "slack" | "discord" | "cli" => (platform === "slack" || platform === "discord" ? platform : "cli");
