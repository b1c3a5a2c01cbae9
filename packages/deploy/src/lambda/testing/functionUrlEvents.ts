import { signSlackRequest } from "@sre-on-call/adapters";
import type { FunctionUrlEvent } from "../functionUrl.js";

export interface RequestSpec {
  readonly method?: string;
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send the body base64-encoded, as function URLs do for binary and form bodies. */
  readonly base64?: boolean;
  readonly query?: string;
}

/** A function URL event (payload format 2.0) as Lambda builds it: lower-cased headers, optional base64 body. */
export const functionUrlEvent = (spec: RequestSpec): FunctionUrlEvent => {
  const now = Date.now();
  const body = spec.body === undefined ? undefined : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, "utf8");
  const headers: Record<string, string> = { host: "abc123.lambda-url.us-east-1.on.aws", "x-forwarded-proto": "https" };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
  const method = spec.method ?? "POST";
  return {
    version: "2.0",
    rawPath: spec.path,
    rawQueryString: spec.query ?? "",
    headers,
    requestContext: { http: { method, path: spec.path }, timeEpoch: now, requestId: `req-${now}` },
    ...(body !== undefined ? { body: spec.base64 === true ? body.toString("base64") : body.toString("utf8"), isBase64Encoded: spec.base64 === true } : { isBase64Encoded: false })
  };
};

/** A Slack Events API request signed with `secret` (or a wrong one), as a function URL event. */
export const signedSlackEvent = (
  secret: string,
  body: string,
  options: { readonly base64?: boolean; readonly headers?: Readonly<Record<string, string>>; readonly contentType?: string } = {}
): FunctionUrlEvent => {
  const ts = String(Math.floor(Date.now() / 1000));
  return functionUrlEvent({
    path: "/slack/events",
    body,
    ...(options.base64 !== undefined ? { base64: options.base64 } : {}),
    headers: {
      "content-type": options.contentType ?? "application/json",
      "x-slack-request-timestamp": ts,
      "x-slack-signature": signSlackRequest(secret, ts, body),
      ...options.headers
    }
  });
};

/** An `app_mention` event callback as Slack sends it. */
export const slackMention = (input: { readonly botUserId: string; readonly channel: string; readonly ts: string; readonly text: string; readonly eventId: string }): string =>
  JSON.stringify({
    token: "x",
    team_id: "T0FAKE",
    api_app_id: "A0APP",
    type: "event_callback",
    event_id: input.eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ user_id: input.botUserId, is_bot: true }],
    event: { type: "app_mention", user: "U0ALICE", text: input.text, ts: input.ts, channel: input.channel, event_ts: input.ts }
  });

/** A fake Lambda context with a fixed amount of time left. */
export const lambdaContext = (remainingMs: number) => {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), awsRequestId: `fake-${deadline}` };
};
