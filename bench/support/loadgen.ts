/**
 * Load generator for bench/intake.ts, in a process of its own so that building, signing and
 * timing requests does not share an event loop with the server under test. Closed loop:
 * `concurrency` workers, each on its own keep-alive connection, send one signed Slack request,
 * wait for the answer, and send the next, for `seconds`. Driven over IPC (intakeProtocol.ts).
 */
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { signSlackRequest } from "@sre-on-call/adapters";
import {
  type FromLoadgen,
  type LoadResult,
  type LoadRun,
  type LatencySummary,
  mentionSlot,
  monotonicMs,
  REQUEST_KINDS,
  type RequestKind,
  summarize,
  type ToLoadgen,
  type TrafficMix
} from "./intakeProtocol.js";

const send = (message: FromLoadgen) => process.send?.(message);

/** Alert notifications as the tools' Slack integrations render them; each one the gate investigates. */
const ALERTS: ReadonlyArray<(i: number) => string> = [
  (i) => `[FIRING:1] KubePodCrashLooping (payments payments-db-${i % 7} critical)\nPod payments/payments-db-${i % 7} (postgres) is restarting ${3 + (i % 5)} times / 10 minutes.\nRunbook: https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping`,
  (i) => `[FIRING:2] HighErrorRate (checkout-api prod critical)\nsummary: 5xx ratio ${(5 + (i % 40) / 10).toFixed(1)}% above 5% for 10m on checkout-api\nhttps://grafana.example.com/d/http/checkout?orgId=1`,
  (i) => `ALARM: "api-latency-p99-high-${i % 11}" in US East (N. Virginia)\nThreshold Crossed: 1 datapoint [${2000 + (i % 900)}.0 (12/05/24 09:${String(i % 60).padStart(2, "0")}:00)] was greater than the threshold (1000.0).`,
  (i) => `[Triggered] High CPU on web-${i % 20}\navg(last_5m):avg:system.cpu.user{host:web-${i % 20}} > 90 — value ${91 + (i % 9)}`,
  (i) => `Monitor is DOWN: https://status-${i % 13}.example.com/health (HTTP 503, 3 locations)`
];

/** What people say to the bot that is not an alert; the gate suppresses each, some with a hint. */
const CHATTER: ReadonlyArray<string> = ["test", "thanks!", "what can you do?", "hi there", "ping", "good morning team", "how do I use you?"];

/** Spreads the kinds over a cycle of 100 requests in proportion, interleaved rather than in runs. */
const schedule = (mix: TrafficMix): ReadonlyArray<RequestKind> => {
  const out: Array<RequestKind> = [];
  const given: Record<RequestKind, number> = { alert: 0, chatter: 0, retry: 0, urlVerification: 0 };
  for (let slot = 1; slot <= 100; slot++) {
    let best: RequestKind = "alert";
    let bestDeficit = -Infinity;
    for (const k of REQUEST_KINDS) {
      const deficit = (mix[k] * slot) / 100 - given[k];
      if (mix[k] > 0 && deficit > bestDeficit) {
        best = k;
        bestDeficit = deficit;
      }
    }
    given[best]++;
    out.push(best);
  }
  return out;
};

interface Outgoing {
  readonly kind: RequestKind;
  readonly body: string;
  readonly retry: boolean;
  readonly alert?: readonly [string, string];
}

const RECENT = 512;

const runLoad = async (run: LoadRun): Promise<LoadResult> => {
  const target = new URL("/slack/events", run.url);
  const agent = new Agent({ keepAlive: true, maxSockets: run.concurrency, maxFreeSockets: run.concurrency });
  const order = schedule(run.mix);
  const latencies: Array<number> = [];
  const byKind = new Map<RequestKind, { samples: Array<number>; non2xx: number }>(REQUEST_KINDS.map((k) => [k, { samples: [], non2xx: 0 }]));
  const statuses: Record<string, number> = {};
  const networkErrors: Record<string, number> = {};
  const alertsSent: Array<readonly [string, string, number]> = [];
  /** Bodies of mentions already acknowledged, for Slack-style redeliveries. */
  const recent: Array<string> = [];
  let sequence = 0;
  let nextSlot = run.pool.from;
  let poolExhausted = 0;
  let eventsAcknowledged = 0;
  let non2xx = 0;

  const mention = (text: string, eventId: string, kind: "alert" | "chatter"): Outgoing => {
    if (nextSlot >= run.pool.to) {
      poolExhausted++;
      nextSlot = run.pool.from;
    }
    const { channel, ts } = mentionSlot(run.pool.baseSeconds, nextSlot++);
    const body = JSON.stringify({
      token: "x",
      team_id: "T0FAKE",
      api_app_id: "A0APP",
      type: "event_callback",
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: "T0FAKE", user_id: run.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(24).toString("base64url")}`,
      event: {
        type: "app_mention",
        user: "U0ALICE",
        text: `<@${run.botUserId}> ${text}`,
        ts,
        team: "T0FAKE",
        channel,
        event_ts: ts,
        client_msg_id: randomBytes(16).toString("hex")
      }
    });
    return { kind, body, retry: false, ...(kind === "alert" ? { alert: [channel, ts] as const } : {}) };
  };

  const next = (): Outgoing => {
    const n = sequence++;
    const kind = order[n % order.length] ?? "alert";
    const eventId = `Ev${run.runId}${n.toString(36).toUpperCase().padStart(7, "0")}`;
    switch (kind) {
      case "alert":
        return mention(ALERTS[n % ALERTS.length]!(n), eventId, "alert");
      case "chatter":
        return mention(CHATTER[n % CHATTER.length]!, eventId, "chatter");
      case "retry": {
        const body = recent[n % Math.max(1, recent.length)];
        return body === undefined ? mention(ALERTS[0]!(n), eventId, "alert") : { kind, body, retry: true };
      }
      case "urlVerification":
        return { kind, body: JSON.stringify({ token: "x", challenge: randomBytes(24).toString("base64url"), type: "url_verification" }), retry: false };
    }
  };

  const post = (out: Outgoing): Promise<number> =>
    new Promise((resolve, reject) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(out.body)),
        "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signSlackRequest(run.signingSecret, timestamp, out.body)
      };
      if (out.retry) {
        headers["x-slack-retry-num"] = "1";
        headers["x-slack-retry-reason"] = "http_timeout";
      }
      const req = request(target, { method: "POST", agent, headers }, (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(out.body);
    });

  const cpu0 = process.cpuUsage();
  const startedAt = monotonicMs();
  const until = startedAt + run.seconds * 1000;
  let lastDone = startedAt;
  const worker = async () => {
    while (monotonicMs() < until) {
      const out = next();
      const t0 = monotonicMs();
      let status: number;
      try {
        status = await post(out);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        networkErrors[message] = (networkErrors[message] ?? 0) + 1;
        non2xx++;
        continue;
      }
      const t1 = monotonicMs();
      lastDone = Math.max(lastDone, t1);
      latencies.push(t1 - t0);
      const k = byKind.get(out.kind)!;
      k.samples.push(t1 - t0);
      if (status < 200 || status > 299) {
        non2xx++;
        k.non2xx++;
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        continue;
      }
      if (out.kind !== "urlVerification") eventsAcknowledged++;
      if (out.kind === "alert" || out.kind === "chatter") {
        if (recent.length < RECENT) recent.push(out.body);
        else recent[sequence % RECENT] = out.body;
      }
      if (out.alert !== undefined) alertsSent.push([out.alert[0], out.alert[1], t0]);
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  agent.destroy();
  const cpu = process.cpuUsage(cpu0);

  const kinds = {} as Record<RequestKind, LatencySummary & { non2xx: number }>;
  for (const [k, v] of byKind) kinds[k] = { ...summarize(v.samples), non2xx: v.non2xx };
  return {
    requests: latencies.length,
    elapsedMs: lastDone - startedAt,
    latency: summarize(latencies),
    byKind: kinds,
    non2xx,
    statuses,
    networkErrors,
    eventsAcknowledged,
    poolExhausted,
    alertsSent,
    cpuMs: (cpu.user + cpu.system) / 1000
  };
};

process.on("message", (message: ToLoadgen) => {
  if (message.type === "stop") process.exit(0);
  runLoad(message.run).then(
    (result) => send({ type: "result", result }),
    (error: unknown) => send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  );
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
