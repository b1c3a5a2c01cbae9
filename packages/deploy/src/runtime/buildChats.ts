import { makeConsoleChat, makeDiscordChat, makeDiscordInteractionResponder, makeSlackChat, readSlackBotIdentity } from "@sre-on-call/adapters";
import type { ChatPlatformShape } from "@sre-on-call/core";
import { Effect, Exit } from "effect";
import type { AppConfig } from "../config/AppConfig.js";
import type { DiscordIntakeOptions, SlackIntakeOptions, WebhookAuth } from "../server/intakeHandler.js";

export type Env = Readonly<Record<string, string | undefined>>;
export type Log = (level: "info" | "warn" | "error", message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** A problem with the environment or config that prevents startup, stated with its fix. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

/** An environment variable, with "" meaning unset. */
export const envValue = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
};

/** Where the webhook credentials come from, to name in errors. */
const CREDENTIALS_HINT = "set SRE_WEBHOOK_TOKEN (a bearer token) or SRE_WEBHOOK_USERNAME and SRE_WEBHOOK_PASSWORD (basic auth)";

export interface ResolvedWebhookAuth {
  readonly auth: WebhookAuth;
  /** Why the webhooks cannot be used as configured; set only when `auth` is `missing`. */
  readonly problem?: string;
}

/**
 * What the alert webhooks accept, from `intake.webhook_auth` and SRE_WEBHOOK_TOKEN or
 * SRE_WEBHOOK_USERNAME/PASSWORD. Auth is required unless explicitly disabled or opened; on
 * Lambda (a public function URL) opening them is refused. A half-set or empty credential is a
 * problem, never a silent "no auth". Messages name variables, never values.
 */
export const resolveWebhookAuth = (mode: AppConfig["intake"]["webhook_auth"], env: Env, runtime: "serve" | "lambda"): ResolvedWebhookAuth => {
  const missing = (problem: string): ResolvedWebhookAuth => ({ auth: { kind: "missing", reason: problem }, problem });
  if (mode === "disabled") return { auth: { kind: "disabled" } };
  const token = env["SRE_WEBHOOK_TOKEN"];
  const username = env["SRE_WEBHOOK_USERNAME"];
  const password = env["SRE_WEBHOOK_PASSWORD"];
  const given = [token, username, password].some((v) => v !== undefined && v !== "");
  if (mode === "none" && !given) {
    return runtime === "lambda"
      ? missing(`intake.webhook_auth: none is refused on AWS Lambda, whose function URL is public; ${CREDENTIALS_HINT} in the webhook secret (scripts/hydrate-secrets.ts), or set intake.webhook_auth: disabled.`)
      : { auth: { kind: "none" } };
  }
  if (token !== undefined && token !== "") {
    if (username !== undefined && username !== "") return missing("both SRE_WEBHOOK_TOKEN and SRE_WEBHOOK_USERNAME are set; set one kind of credentials (bearer or basic), not both.");
    if (token.trim() !== token || token.length < 16) return missing("SRE_WEBHOOK_TOKEN must be at least 16 characters without surrounding spaces (e.g. openssl rand -hex 24).");
    return { auth: { kind: "bearer", token } };
  }
  if (token !== undefined) return missing("SRE_WEBHOOK_TOKEN is set but empty.");
  if (username !== undefined && username !== "") {
    if (password === undefined) return missing("SRE_WEBHOOK_USERNAME is set but SRE_WEBHOOK_PASSWORD is not; set both for basic auth.");
    if (password === "") return missing("SRE_WEBHOOK_PASSWORD is empty; an empty password is no password.");
    if (username.includes(":")) return missing("SRE_WEBHOOK_USERNAME must not contain ':' (basic auth separates user and password with it).");
    return { auth: { kind: "basic", username, password } };
  }
  if (password !== undefined && password !== "") return missing("SRE_WEBHOOK_PASSWORD is set but SRE_WEBHOOK_USERNAME is not; set both for basic auth.");
  return missing(
    `the alert webhooks (/webhooks/alertmanager, /webhooks/grafana) require credentials and none are set: ${CREDENTIALS_HINT}, or set intake.webhook_auth: disabled if no alerts come by webhook${runtime === "serve" ? " (or none, on a private network only)" : ""}.`
  );
};

/** How the webhook auth is described at startup (never a credential). */
export const describeWebhookAuth = (auth: WebhookAuth): string =>
  auth.kind === "bearer" ? "bearer token" : auth.kind === "basic" ? "basic auth" : auth.kind === "none" ? "none (intake.webhook_auth: none; anyone who can reach the server may post alerts)" : auth.kind === "disabled" ? "disabled (the webhook routes answer 404)" : `not usable: ${auth.reason}`;

export interface Chats {
  readonly chats: Record<string, ChatPlatformShape | undefined>;
  readonly slack?: SlackIntakeOptions;
  readonly discord?: DiscordIntakeOptions;
}

/** The same chats, from the same environment variables, as `serve`. */
export const buildChats = async (config: AppConfig, env: Env, log: Log, consoleWrite: (text: string) => void): Promise<Chats> => {
  const chats: Record<string, ChatPlatformShape | undefined> = { console: makeConsoleChat({ write: consoleWrite }) };
  let slack: SlackIntakeOptions | undefined;
  let discord: DiscordIntakeOptions | undefined;
  const slackToken = envValue(env, "SLACK_BOT_TOKEN");
  if (slackToken !== undefined) {
    const signingSecret = envValue(env, "SLACK_SIGNING_SECRET");
    if (signingSecret === undefined) throw new StartupError("SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not; set both (Slack app → Basic Information → Signing Secret).");
    const apiUrl = envValue(env, "SLACK_API_URL");
    const connection = { token: slackToken, ...(apiUrl !== undefined ? { apiUrl } : {}) };
    chats["slack"] = makeSlackChat(connection);
    const identity = await Effect.runPromiseExit(readSlackBotIdentity(connection));
    if (Exit.isFailure(identity)) log("warn", "could not read the Slack bot's identity (auth.test); its own messages are recognised from event authorizations instead", {});
    slack = {
      signingSecret,
      reactionTrigger: config.classifier.reaction_trigger,
      ...(Exit.isSuccess(identity) ? { botUserId: identity.value.userId, ...(identity.value.botId !== undefined ? { botId: identity.value.botId } : {}) } : {})
    };
  }
  const discordToken = envValue(env, "DISCORD_BOT_TOKEN");
  if (discordToken !== undefined) {
    const publicKeyHex = envValue(env, "DISCORD_PUBLIC_KEY");
    const applicationId = envValue(env, "DISCORD_APPLICATION_ID");
    if (publicKeyHex === undefined || applicationId === undefined) {
      throw new StartupError("DISCORD_BOT_TOKEN is set but DISCORD_PUBLIC_KEY or DISCORD_APPLICATION_ID is not; set all three (Discord developer portal → General Information).");
    }
    const api = envValue(env, "DISCORD_API_URL");
    chats["discord"] = makeDiscordChat({ token: discordToken, applicationId, ...(api !== undefined ? { api } : {}) });
    discord = {
      publicKeyHex,
      applicationId,
      allowedLinkChannels: config.intake.discord_allowed_link_channels,
      responder: makeDiscordInteractionResponder({ applicationId, ...(api !== undefined ? { api } : {}) })
    };
  }
  return { chats, ...(slack !== undefined ? { slack } : {}), ...(discord !== undefined ? { discord } : {}) };
};

