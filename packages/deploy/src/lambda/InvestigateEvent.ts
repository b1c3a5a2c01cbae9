import { AlertContext, decodeUnknown } from "@sre-on-call/core";
import { Schema } from "effect";

/**
 * What the intake invocation sends, asynchronously, to the investigator function (possibly
 * itself): the alert and which configured chat (`platform`, a key of the chats: `slack`,
 * `discord`, `console`) and channel the report goes to. Only IAM principals allowed to invoke
 * the function can send it; a function URL request always arrives wrapped in an HTTP event.
 */
export const InvestigateEvent = Schema.Struct({
  kind: Schema.Literal("investigate"),
  alert: AlertContext,
  platform: Schema.String,
  channel: Schema.String
});
export type InvestigateEvent = typeof InvestigateEvent.Type;

export const decodeInvestigateEvent = decodeUnknown(InvestigateEvent, "investigate event");

/**
 * A direct invocation carrying an investigation (as opposed to a function URL event, which always
 * has a `requestContext`). Malformed ones are still recognised here so they are answered, not
 * mistaken for HTTP.
 */
export const isInvestigateInvocation = (event: unknown): boolean =>
  typeof event === "object" && event !== null && !("requestContext" in event) && (event as { kind?: unknown }).kind === "investigate";
