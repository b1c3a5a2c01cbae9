import { timingSafeEqual } from "node:crypto";
import { decodeDiscordInteraction, decodeSlackRequest, type DiscordInteractionResponder, verifyDiscordRequest, verifySlackRequest } from "@sre-on-call/adapters";
import { type AlertFormat, codeInline as code, type Dialect, type Intake, type IntakeOutcome, type Line, parseAlertPayload, rawInline as raw, redactSecrets, renderNotice } from "@sre-on-call/core";
import { Effect, Fiber, Result } from "effect";
import { errorResponse, type HttpHandler, type HttpRequest, type HttpResponse, json } from "../http/HttpExchange.js";

export interface SlackIntakeOptions {
  readonly signingSecret: string;
  readonly botUserId?: string;
  readonly botId?: string;
  readonly reactionTrigger: string;
}

export interface DiscordIntakeOptions {
  readonly publicKeyHex: string;
  readonly applicationId?: string;
  /** Channels whose messages commands may read through a message link, besides their own (`intake.discord_allowed_link_channels`). */
  readonly allowedLinkChannels?: ReadonlyArray<string>;
  readonly responder: DiscordInteractionResponder;
}

/**
 * What the alert webhooks accept: the credentials Alertmanager's `http_config` (or Grafana's
 * contact point) sends; `none` when explicitly opened (`intake.webhook_auth: none`); `disabled`
 * (`intake.webhook_auth: disabled`: the routes answer 404); `missing` when auth is required but the
 * deployment has no credentials yet (the routes refuse every request, saying what is missing).
 */
export type WebhookAuth =
  | { readonly kind: "none" }
  | { readonly kind: "disabled" }
  | { readonly kind: "missing"; readonly reason: string }
  | { readonly kind: "bearer"; readonly token: string }
  | { readonly kind: "basic"; readonly username: string; readonly password: string };

/** Where the 401 and startup errors send people: the section exists (a test checks it). */
export const WEBHOOK_AUTH_DOC = "docs/configuration.md#alert-webhook-authentication";

export interface ExtraRoute {
  readonly method: string;
  readonly path: string;
  readonly handle: HttpHandler;
}

export interface IntakeHandlerOptions {
  readonly intake: Intake;
  readonly slack?: SlackIntakeOptions;
  /** SLACK_API_URL when set: response_urls on its origin are trusted too (tests). */
  readonly slackApiUrl?: string;
  readonly discord?: DiscordIntakeOptions;
  readonly webhookAuth: WebhookAuth;
  readonly windowMinutes?: number;
  readonly deadlineMs?: number;
  readonly formats?: ReadonlyArray<AlertFormat>;
  /**
   * Runs work after the answer is sent (local server: a background fiber). Without it the
   * work is awaited before answering (Lambda without async self-invocation).
   */
  readonly background?: (work: Effect.Effect<unknown>) => void;
  readonly log?: (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) => void;
  readonly extraRoutes?: ReadonlyArray<ExtraRoute>;
  readonly now?: () => number;
  /** Whether the server can do its work (the store can write); `/healthz` answers 503 `degraded` when not. Default: always. */
  readonly health?: () => { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly since: number };
  /** Redacts untrusted text echoed back to the operator (builtin and configured patterns). Default: builtin. */
  readonly redact?: (text: string) => string;
}

/** Slack and Discord want an answer within 3 s; intake gets this much of it before the ack goes out regardless. */
const ACK_BUDGET_MS = 2_000;

/** Only Slack's own hooks (or the configured API's host, for tests) receive command results: no request forgery. */
const isSlackResponseUrl = (url: string, apiUrl: string | undefined): boolean => {
  try {
    const u = new URL(url);
    if (u.protocol === "https:" && u.hostname === "hooks.slack.com") return true;
    return apiUrl !== undefined && u.origin === new URL(apiUrl).origin;
  } catch {
    return false;
  }
};

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Checks the webhook's Authorization header in constant time; the expected secret is never echoed. */
export const checkWebhookAuth = (auth: WebhookAuth, header: string | undefined): boolean => {
  if (auth.kind === "none") return true;
  if (auth.kind === "disabled" || auth.kind === "missing" || header === undefined) return false;
  if (auth.kind === "bearer") return /^Bearer /i.test(header) && safeEqual(header.slice(7).trim(), auth.token);
  if (!/^Basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  return safeEqual(decoded, `${auth.username}:${auth.password}`);
};

const outcomeStatus = (outcomes: ReadonlyArray<IntakeOutcome>): number =>
  outcomes.some((o) => o._tag === "Failed" && o.retryable) ? 503 : 200;

const summarize = (o: IntakeOutcome): Record<string, unknown> => {
  switch (o._tag) {
    case "Investigating":
      return { result: "investigating", investigationId: o.investigationId, channelId: o.channelId, threadId: o.threadId };
    case "Suppressed":
      return { result: "suppressed", tier: o.verdict.tier, reasons: o.verdict.reasons };
    case "Duplicate":
      return { result: "duplicate" };
    case "AlreadyInvestigated":
      return { result: "already_investigated", investigationId: o.investigationId };
    case "ResolvedPosted":
      return { result: "resolved_posted", investigationId: o.investigationId };
    case "Replied":
      return { result: "replied", text: o.text };
    case "Ignored":
      return { result: "ignored", reason: o.reason };
    case "Failed":
      return { result: "failed", reason: o.reason, retryable: o.retryable };
    case "Capped":
      return { result: "capped", reason: o.reason };
  }
};

/**
 * The HTTP face of intake, shared by the local server and the Lambda handler:
 * `POST /slack/events`, `POST /slack/commands`, `POST /discord/interactions`,
 * `POST /webhooks/alertmanager`, `POST /webhooks/grafana`, `GET /healthz`.
 * Signatures and credentials are checked before anything is parsed; bad input gets a 4xx with
 * a JSON error naming the problem; nothing here throws.
 */
export const makeIntakeHandler = (options: IntakeHandlerOptions): HttpHandler => {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => Date.now());
  const redact = options.redact ?? redactSecrets;

  const runLater = async (work: Effect.Effect<unknown>): Promise<void> => {
    if (options.background !== undefined) options.background(work);
    else await Effect.runPromise(work.pipe(Effect.ignore));
  };

  const slackEvents = async (req: HttpRequest): Promise<HttpResponse> => {
    const slack = options.slack;
    if (slack === undefined) return errorResponse(404, "slack_not_configured", "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN.");
    const verified = verifySlackRequest({ signingSecret: slack.signingSecret, headers: req.headers, rawBody: req.rawBody, now: now() });
    if (Result.isFailure(verified)) {
      log("warn", "rejected a Slack request", { reason: verified.failure.message });
      return errorResponse(401, "invalid_signature", verified.failure.message);
    }
    const decoded = decodeSlackRequest({
      contentType: req.headers["content-type"],
      rawBody: req.rawBody,
      headers: req.headers,
      botUserId: slack.botUserId,
      botId: slack.botId,
      reactionTrigger: slack.reactionTrigger,
      receivedAt: req.receivedAt
    });
    if (Result.isFailure(decoded)) return errorResponse(400, "bad_request", decoded.failure.message);
    const d = decoded.success;
    if (d._tag === "UrlVerification") return json(200, { challenge: d.challenge });
    if (d._tag === "UnknownCommand") return json(200, { response_type: "ephemeral", text: d.reply });
    const event = d.event;
    const withId = (event._tag === "Mention" || event._tag === "Reaction") && event.eventId === undefined && d.eventId !== undefined ? { ...event, eventId: d.eventId } : event;
    if (withId._tag === "Ignored") return json(200, { ok: true, ignored: withId.reason });
    const work = options.intake.handleChatEvent(withId, "slack").pipe(
      Effect.tap((o) => Effect.sync(() => log(o._tag === "Failed" ? "error" : "info", "slack event handled", { retry: d.retry, ...summarize(o) })))
    );
    // verify → decode → classify → dedup, then acknowledge; the investigation itself is launched
    // asynchronously. Should intake be slow (a thread parent to read from a slow Slack), answer
    // within Slack's 3 s anyway and let it finish in the background.
    if (withId._tag === "Command") {
      // Answer with the result when it is ready inside Slack's window; otherwise acknowledge and
      // send the result to the command's response_url when it is.
      const fiber = Effect.runFork(work);
      const outcome = await Promise.race([
        Effect.runPromise(Fiber.join(fiber)),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), ACK_BUDGET_MS).unref())
      ]);
      if (outcome !== undefined) return json(200, { response_type: "ephemeral", text: followUpText(outcome, "slack") });
      const responseUrl = withId.replyHandle;
      void Effect.runPromise(Fiber.join(fiber)).then(async (late) => {
        if (responseUrl === undefined || !isSlackResponseUrl(responseUrl, options.slackApiUrl)) return;
        await fetch(responseUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ response_type: "ephemeral", text: followUpText(late, "slack") }) }).catch((e: unknown) =>
          log("warn", "could not answer a slash command's response_url", { error: e instanceof Error ? e.message : String(e) })
        );
      });
      return json(200, { response_type: "ephemeral", text: `Working on /${withId.request.command === "snapshot" ? "sre-snapshot" : withId.request.command}…` });
    }
    if (options.background === undefined) await runLater(work);
    else {
      const fiber = Effect.runFork(work);
      const done = await Promise.race([Effect.runPromise(Fiber.await(fiber)).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ACK_BUDGET_MS).unref())]);
      if (!done) log("warn", "intake took longer than the acknowledgement budget; acknowledged, still working", { budgetMs: ACK_BUDGET_MS });
    }
    return json(200, { ok: true });
  };

  /**
   * What the operator who ran a command is told once intake has acted on it. Reasons and replies
   * can quote what was typed or posted: redacted, then escaped for the platform like any notice.
   */
  const followUpText = (o: IntakeOutcome, dialect: Dialect): string => {
    const untrusted = (text: string) => redact(text);
    const line = ((): Line => {
      switch (o._tag) {
        case "Investigating":
          return [raw("Investigating ("), code(o.investigationId), raw("); the report will be posted in the alert's thread.")];
        case "AlreadyInvestigated":
          return [raw("Already investigated ("), code(o.investigationId), raw("); see the alert's thread.")];
        case "Replied":
          return [untrusted(o.text)];
        case "Failed":
          return [raw("Could not start the investigation: "), untrusted(o.reason)];
        case "Suppressed":
          return [raw("Not investigating: "), untrusted(o.verdict.reasons.join("; "))];
        case "Capped":
          return [raw("Not investigating right now: "), untrusted(o.reason)];
        case "Duplicate":
          return [raw("Already received; nothing more to do.")];
        default:
          return [raw("Done.")];
      }
    })();
    return renderNotice(dialect, line);
  };

  const discordInteractions = async (req: HttpRequest): Promise<HttpResponse> => {
    const discord = options.discord;
    if (discord === undefined) return errorResponse(404, "discord_not_configured", "Discord is not configured: set DISCORD_PUBLIC_KEY, DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN.");
    const verified = verifyDiscordRequest({ publicKeyHex: discord.publicKeyHex, headers: req.headers, rawBody: req.rawBody, now: now() });
    if (Result.isFailure(verified)) {
      log("warn", "rejected a Discord request", { reason: verified.failure.message });
      return errorResponse(401, "invalid_signature", verified.failure.message);
    }
    const decoded = decodeDiscordInteraction(req.rawBody.toString("utf8"), {
      ...(discord.applicationId !== undefined ? { applicationId: discord.applicationId } : {}),
      ...(discord.allowedLinkChannels !== undefined ? { allowedLinkChannels: discord.allowedLinkChannels } : {})
    });
    if (Result.isFailure(decoded)) return errorResponse(400, "bad_request", decoded.failure.message);
    const d = decoded.success;
    if (d._tag !== "Deferred") return json(200, d.response);
    const token = d.interaction.token;
    const work = options.intake.handleChatEvent(d.event, "discord").pipe(
      Effect.tap((o) => Effect.sync(() => log(o._tag === "Failed" ? "error" : "info", "discord interaction handled", summarize(o)))),
      Effect.flatMap((o) => discord.responder.editOriginal(token, { text: followUpText(o, "discord") })),
      Effect.catch((e) => Effect.sync(() => log("error", "could not answer a Discord interaction", { error: e.message })))
    );
    // Discord wants an answer within 3 s: defer now, edit the response when intake is done.
    if (options.background !== undefined) options.background(work);
    else void Effect.runPromise(work.pipe(Effect.ignore));
    return json(200, d.response);
  };

  const alertWebhook = (kind: "alertmanager" | "grafana") => async (req: HttpRequest): Promise<HttpResponse> => {
    const auth = options.webhookAuth;
    if (auth.kind === "disabled") return errorResponse(404, "webhooks_disabled", `the alert webhooks are disabled (intake.webhook_auth: disabled); see ${WEBHOOK_AUTH_DOC}.`);
    if (auth.kind === "missing") return errorResponse(503, "webhook_auth_not_configured", `the alert webhooks are not usable yet: ${auth.reason} See ${WEBHOOK_AUTH_DOC}.`);
    if (!checkWebhookAuth(auth, req.headers["authorization"])) {
      log("warn", "rejected an alert webhook request", { route: kind, reason: req.headers["authorization"] === undefined ? "no Authorization header" : "wrong credentials" });
      return errorResponse(
        401,
        "unauthorized",
        `missing or wrong credentials for the alert webhook: send ${auth.kind === "bearer" ? "the bearer token (SRE_WEBHOOK_TOKEN)" : "basic auth (SRE_WEBHOOK_USERNAME/SRE_WEBHOOK_PASSWORD)"} as Alertmanager's http_config.authorization or Grafana's contact point credentials; see ${WEBHOOK_AUTH_DOC}.`
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(req.rawBody.toString("utf8"));
    } catch (error) {
      return errorResponse(400, "invalid_json", `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = parseAlertPayload(payload, {
      now: req.receivedAt,
      ...(options.windowMinutes !== undefined ? { windowMinutes: options.windowMinutes } : {}),
      ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
      ...(options.formats !== undefined ? { formats: options.formats } : {})
    });
    if (Result.isFailure(parsed)) return errorResponse(400, "invalid_payload", parsed.failure.message);
    if (kind === "grafana" && parsed.success.format === "alertmanager") log("info", "an Alertmanager payload arrived on the Grafana webhook; accepted");
    // Only a sender that proved who it is may have its expressions run against internal systems.
    const authenticated = auth.kind === "bearer" || auth.kind === "basic";
    const alerts = parsed.success.alerts.map((a) => ({ ...a, authenticatedSource: authenticated }));
    const work = options.intake.handleAlerts(alerts).pipe(
      Effect.tap((outcomes) => Effect.sync(() => {
        for (const o of outcomes) log(o._tag === "Failed" ? "error" : "info", `${kind} alert handled`, summarize(o));
      }))
    );
    if (options.background === undefined) {
      const outcomes = await Effect.runPromise(work);
      return json(outcomeStatus(outcomes), { format: parsed.success.format, alerts: outcomes.map(summarize) });
    }
    // The sender gets its answer within the budget whatever the chat API does; what is still
    // posting goes on in the background (a failed post leaves its claim open for the next re-send).
    const fiber = Effect.runFork(work);
    const outcomes = await Promise.race([
      Effect.runPromise(Fiber.join(fiber)),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), ACK_BUDGET_MS).unref())
    ]);
    if (outcomes !== undefined) return json(outcomeStatus(outcomes), { format: parsed.success.format, alerts: outcomes.map(summarize) });
    options.background(Fiber.join(fiber));
    log("warn", "alert webhook took longer than the acknowledgement budget; accepted, still working", { route: kind, alerts: alerts.length, budgetMs: ACK_BUDGET_MS });
    return json(202, { format: parsed.success.format, accepted: alerts.length, status: "processing" });
  };

  const routes: ReadonlyArray<ExtraRoute> = [
    { method: "POST", path: "/slack/events", handle: slackEvents },
    // Slash commands arrive form-encoded; the same verification and decoding apply.
    { method: "POST", path: "/slack/commands", handle: slackEvents },
    { method: "POST", path: "/discord/interactions", handle: discordInteractions },
    { method: "POST", path: "/webhooks/alertmanager", handle: alertWebhook("alertmanager") },
    { method: "POST", path: "/webhooks/grafana", handle: alertWebhook("grafana") },
    {
      method: "GET",
      path: "/healthz",
      handle: () => {
        const health = options.health?.();
        return Promise.resolve(health === undefined || health.ok ? json(200, { status: "ok" }) : json(503, { status: "degraded", reason: health.reason, since: new Date(health.since).toISOString() }));
      }
    },
    ...(options.extraRoutes ?? [])
  ];

  return async (req) => {
    const matches = routes.filter((r) => r.path === req.path);
    if (matches.length === 0) return errorResponse(404, "not_found", `no route ${req.path}; routes: ${[...new Set(routes.map((r) => r.path))].join(", ")}`);
    const route = matches.find((r) => r.method === req.method);
    if (route === undefined) return { ...errorResponse(405, "method_not_allowed", `${req.path} accepts ${matches.map((r) => r.method).join(", ")}`), headers: { allow: matches.map((r) => r.method).join(", "), "content-type": "application/json; charset=utf-8" } };
    try {
      return await route.handle(req);
    } catch (error) {
      log("error", "unexpected error in a route", { path: req.path, error: error instanceof Error ? error.message : String(error) });
      return errorResponse(500, "internal", "unexpected error; the request was logged.");
    }
  };
};
