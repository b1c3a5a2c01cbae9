/**
 * What bench/intake.ts and its two helper processes (the fake Slack API and the load generator)
 * say to each other over the IPC channel of `child_process.fork`, and the traffic layout they
 * share: which channel and Slack ts the n-th mention of a run uses, so the fake can hold the
 * messages before the mentions arrive.
 */

/** Channels the mentions are spread over: the fake re-sorts a channel on every thread reply, so keep them short. */
export const CHANNELS = 4000;

/** Where mention `index` of the pool lives: a channel and a Slack ts unique within it. */
export const mentionSlot = (baseSeconds: number, index: number): { readonly channel: string; readonly ts: string } => ({
  channel: `C0LOAD${String(index % CHANNELS).padStart(4, "0")}`,
  ts: `${baseSeconds + Math.floor(index / 1_000_000)}.${String(index % 1_000_000).padStart(6, "0")}`
});

/** The range of mention slots one run may use; the fake holds a message in each. */
export interface MentionPool {
  readonly baseSeconds: number;
  readonly from: number;
  readonly to: number;
}

/** Percentages of each request kind; they must add up to 100. */
export interface TrafficMix {
  readonly alert: number;
  readonly chatter: number;
  readonly retry: number;
  readonly urlVerification: number;
}

export type RequestKind = keyof TrafficMix;
export const REQUEST_KINDS: ReadonlyArray<RequestKind> = ["alert", "chatter", "retry", "urlVerification"];

// ---- fake Slack process ----------------------------------------------------------------------

export type ToFakeSlack =
  | { readonly type: "seed"; readonly pool: MentionPool }
  | { readonly type: "stats" }
  | { readonly type: "sample"; readonly channel: string; readonly ts: string }
  | { readonly type: "stop" };

export interface FakeSlackStats {
  /** Calls by Web API method. */
  readonly calls: Readonly<Record<string, number>>;
  /** Calls the fake answered with `ok: false` or an HTTP error, by error. */
  readonly errors: Readonly<Record<string, number>>;
  /** "Investigating …" acknowledgements posted in alert threads. */
  readonly announcements: number;
  /** Threads that received at least one report message (not an announcement, hint or notice). */
  readonly reportThreads: number;
  readonly reportMessages: number;
  /** Other replies in threads without an investigation: the hints chatter mentions get. */
  readonly hints: number;
  /** "Already investigated in this thread" notices. */
  readonly alreadyInvestigated: number;
  /** CPU time the fake Slack process has used since it started, ms. */
  readonly cpuMs: number;
}

export type FromFakeSlack =
  | { readonly type: "ready"; readonly url: string; readonly token: string; readonly botUserId: string }
  | { readonly type: "seeded"; readonly count: number }
  | { readonly type: "stats"; readonly stats: FakeSlackStats }
  | { readonly type: "sample"; readonly messages: ReadonlyArray<{ readonly text: string; readonly blocks: number }> };

// ---- load generator --------------------------------------------------------------------------

export interface LoadRun {
  readonly url: string;
  readonly signingSecret: string;
  readonly botUserId: string;
  readonly concurrency: number;
  readonly seconds: number;
  readonly mix: TrafficMix;
  readonly pool: MentionPool;
  /** Prefix of Slack event ids, unique per run. */
  readonly runId: string;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly elapsedMs: number;
  readonly latency: LatencySummary;
  readonly byKind: Readonly<Record<RequestKind, LatencySummary & { readonly non2xx: number }>>;
  readonly non2xx: number;
  /** Status codes other than 2xx, with how often each came back. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Socket-level failures (reset, refused…), by message. */
  readonly networkErrors: Readonly<Record<string, number>>;
  /** Requests that carried an `event_callback` (everything but url_verification) and got a 2xx. */
  readonly eventsAcknowledged: number;
  /** Mentions that found the pool used up and reused a slot (they measure a different path). */
  readonly poolExhausted: number;
  /** Each alert mention acknowledged: channel, ts, and when it was sent (`process.hrtime` ms, one clock for all processes). */
  readonly alertsSent: ReadonlyArray<readonly [string, string, number]>;
  /** CPU time the load generator used during the run, ms. */
  readonly cpuMs: number;
}

export type ToLoadgen = { readonly type: "run"; readonly run: LoadRun } | { readonly type: "stop" };
export type FromLoadgen = { readonly type: "ready" } | { readonly type: "result"; readonly result: LoadResult } | { readonly type: "error"; readonly message: string };

/** `process.hrtime` in milliseconds: CLOCK_MONOTONIC, the same clock in every process of the machine. */
export const monotonicMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

/** Nearest-rank percentiles of a sample (sorted in place). */
export const summarize = (samples: Array<number>): LatencySummary => {
  samples.sort((a, b) => a - b);
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.max(0, Math.ceil((p / 100) * samples.length) - 1))] ?? 0;
  return { count: samples.length, p50: at(50), p90: at(90), p99: at(99), max: samples[samples.length - 1] ?? 0 };
};
