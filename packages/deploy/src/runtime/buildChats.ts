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

/** The credentials alert webhooks must send, from SRE_WEBHOOK_TOKEN or SRE_WEBHOOK_USERNAME/PASSWORD. */
export const webhookAuthFromEnv = (env: Env): WebhookAuth => {
  const token = envValue(env, "SRE_WEBHOOK_TOKEN");
  if (token !== undefined) return { kind: "bearer", token };
  const username = envValue(env, "SRE_WEBHOOK_USERNAME");
  const password = env["SRE_WEBHOOK_PASSWORD"];
  if (username !== undefined && password !== undefined) return { kind: "basic", username, password };
  return { kind: "none" };
};

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
    discord = { publicKeyHex, applicationId, responder: makeDiscordInteractionResponder({ applicationId, ...(api !== undefined ? { api } : {}) }) };
  }
  return { chats, ...(slack !== undefined ? { slack } : {}), ...(discord !== undefined ? { discord } : {}) };
};

