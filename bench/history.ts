/**
 * Times the channel-history and incident-history specialists on their test data:
 * - slack-history and discord-history through the real adapters against the fake Slack and
 *   Discord APIs on loopback (3 channels, 1,000 messages each in the window: an outage buried
 *   in chatter), and the correlation alone over the same messages held in memory;
 * - incident-history over the embedded store with 2,000 remembered incidents, by TF-IDF and
 *   with a scripted embedding model.
 *
 *   node --import tsx bench/history.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeDiscordApi } from "@sre-on-call/adapters/chat/discord/testing/fakeDiscordApi";
import { startFakeSlackApi } from "@sre-on-call/adapters/chat/slack/testing/fakeSlackApi";
import { EmbeddedStore, makeDiscordChat, makeEmbeddedIncidentMemory, makeSlackChat } from "@sre-on-call/adapters";
import { makeChatHistorySpecialist } from "@sre-on-call/agents/chat-history/index";
import { makeIncidentHistorySpecialist } from "@sre-on-call/agents/incident-history/index";
import type { AgentResult, AlertContext, IncidentRecord, Specialist } from "@sre-on-call/core";
import { makeInMemoryChat, makeScriptedModel } from "@sre-on-call/core/testing";
import { Effect } from "effect";
import { median, timeRuns } from "./support/timing.js";

const RUNS = 7;
const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 14, 14, 20, 0);
const PER_CHANNEL = 1_000;
const CHATTER = ["lunch at 12?", "anyone up for coffee", "thanks for the review!", "the standup moved to 10:30", "PTO tomorrow", "merged the docs PR", "can someone look at my PR", "nice weekend everyone"];


const alertFor = (source: AlertContext["source"], channelId: string, messageId: string): AlertContext => ({
  investigationId: `bench-${source}`,
  source,
  channelId,
  messageId,
  alertText: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)",
  alertTimestamp: T0,
  window: { start: T0 - 5 * MIN, end: T0 + 5 * MIN },
  status: "firing",
  labels: {},
  annotations: {},
  entities: { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", deployment: "api" },
  hints: [],
  deadline: T0 + MIN
});

const time = async (label: string, specialist: Specialist, alert: AlertContext) => {
  const t = await timeRuns(RUNS, () => Effect.runPromise(specialist.investigate(alert, { deadline: Date.now() + 60_000 })));
  const samples = t.samples;
  const last: AgentResult | undefined = t.last;
  const read = last?.metadata.extra?.["messagesRead"];
  console.log(
    `${label}: median ${median(samples).toFixed(1)} ms, min ${Math.min(...samples).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms over ${RUNS} runs` +
      (typeof read === "number" ? `; ${read} messages read → ${last?.findings.length ?? 0} findings` : `; ${last?.findings.length ?? 0} findings`)
  );
  console.log(`  ${last?.hypotheses[0] !== undefined ? `top hypothesis: ${last.hypotheses[0].title}` : `summary: ${last?.summary ?? ""}`}`);
};

/** The outage, as (channel index, text, minutes before the alert, bot?) — the rest is chatter. */
const OUTAGE: ReadonlyArray<readonly [number, string, number, boolean]> = [
  [0, "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq (critical)", 95, true],
  [0, "[RESOLVED] KubePodCrashLooping payments/api-7d9f8b6c5-kx8zq", 80, true],
  [0, "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-hq2bz (critical)", 40, true],
  [1, "Deployed payments/api v2.3.1 to prod-eu-1 (helm upgrade payments-api)", 10, false],
  [2, "payments api is returning 502s for checkout, anyone else seeing this?", 6, false]
];

/** Chatter spread over the 3 hours before the alert, `PER_CHANNEL` messages per channel. */
const chatter = (seed: (channel: number, text: string, at: number) => void) => {
  for (let c = 0; c < 3; c++) for (let i = 0; i < PER_CHANNEL - 5; i++) seed(c, CHATTER[(i + c) % CHATTER.length]!, T0 - 180 * MIN + Math.floor((i * 180 * MIN) / PER_CHANNEL));
};

const benchSlack = async () => {
  const channels = ["C0ALERTS", "C0DEPLOYS", "C0SUPPORT"];
  const api = await startFakeSlackApi({ channels });
  try {
    chatter((c, text, at) => api.seed(channels[c]!, { text, timestamp: at }));
    for (const [c, text, before, isBot] of OUTAGE) api.seed(channels[c]!, { text, timestamp: T0 - before * MIN, isBot });
    const alert = api.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)", timestamp: T0, isBot: true });
    const chat = makeSlackChat({ token: api.token, apiUrl: api.url });
    await time(
      "slack-history, fake Slack API, 3 channels × 1,000 messages",
      makeChatHistorySpecialist({ id: "slack-history", chat, channels: channels.slice(1), perChannelLimit: 2_000, workspaceUrl: "https://acme.slack.com" }),
      alertFor("slack", "C0ALERTS", alert)
    );
  } finally {
    await api.close();
  }
};

const benchDiscord = async () => {
  const fake = await startFakeDiscordApi();
  try {
    const channels = [fake.createChannel({ name: "alerts" }), fake.createChannel({ name: "deploys" }), fake.createChannel({ name: "support" })];
    chatter((c, content, at) => fake.seedMessage(channels[c]!, { content, timestamp: at }));
    for (const [c, content, before, bot] of OUTAGE) fake.seedMessage(channels[c]!, { content, timestamp: T0 - before * MIN, bot });
    const alert = fake.seedMessage(channels[0]!, { content: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)", timestamp: T0, bot: true });
    const chat = makeDiscordChat({ token: fake.token, api: fake.url });
    await time(
      "discord-history, fake Discord API, 3 channels × 1,000 messages",
      makeChatHistorySpecialist({ id: "discord-history", chat, channels: channels.slice(1), perChannelLimit: 2_000, guildId: fake.guildId }),
      alertFor("discord", channels[0]!, alert)
    );
  } finally {
    await fake.close();
  }
};

const benchCorrelationOnly = async () => {
  const mem = makeInMemoryChat({ platform: "slack" });
  const channels = ["C0ALERTS", "C0DEPLOYS", "C0SUPPORT"];
  chatter((c, text, at) => mem.seed(channels[c]!, { text, timestamp: at, isBot: false }));
  for (const [c, text, before, isBot] of OUTAGE) mem.seed(channels[c]!, { text, timestamp: T0 - before * MIN, isBot });
  const alert = mem.seed("C0ALERTS", { text: "[FIRING:1] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (critical)", timestamp: T0, isBot: true });
  await time(
    "slack-history, in-memory chat (correlation alone), 3 channels × 1,000 messages",
    makeChatHistorySpecialist({ id: "slack-history", chat: mem.chat, channels: channels.slice(1), perChannelLimit: 2_000 }),
    alertFor("slack", "C0ALERTS", alert)
  );
};

const ALERTS = ["KubePodCrashLooping", "HighErrorRate", "HighLatency", "KubeDeploymentReplicasMismatch", "PostgresDown", "KafkaConsumerLag", "TargetDown", "KubePodNotReady", "CPUThrottlingHigh", "DiskAlmostFull"];
const NAMESPACES = ["payments", "checkout", "search", "orders", "ledger", "identity", "catalog", "shipping", "notifications", "billing"];
const WORKLOADS = ["api", "worker", "web", "consumer", "scheduler", "gateway", "db", "cache", "indexer", "exporter"];

const benchIncidents = async () => {
  const directory = await mkdtemp(join(tmpdir(), "history-bench-"));
  const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
  try {
    const memory = makeEmbeddedIncidentMemory(store);
    const records: Array<IncidentRecord> = [];
    for (let i = 0; i < 2_000; i++) {
      const alertname = ALERTS[i % ALERTS.length]!;
      const namespace = NAMESPACES[Math.floor(i / 10) % NAMESPACES.length]!;
      const deployment = WORKLOADS[Math.floor(i / 100) % WORKLOADS.length]!;
      records.push({
        investigationId: `inv-${i}`,
        recordedAt: T0 - (i + 1) * 3_600_000,
        title: `${alertname} — ${namespace}/${deployment}`,
        alertText: `[FIRING:1] ${alertname} ${namespace}/${deployment}-7d9f8b6c5-x2x9z`,
        entities: { alertname, namespace, deployment },
        severity: "high",
        channelId: "C0ALERTS",
        threadId: `${i}.000100`,
        ...(i % 3 === 0 ? { outcome: { resolvedAt: T0 - (i + 1) * 3_600_000 + 1_800_000, rootCause: `cause ${i % 17}` } } : {})
      });
    }
    const started = performance.now();
    await Promise.all(records.map((r) => Effect.runPromise(memory.remember(r))));
    console.log(`2,000 incidents remembered in ${(performance.now() - started).toFixed(0)} ms`);
    const alert = alertFor("slack", "C0ALERTS", "1715696400.000100");
    await time("incident-history, embedded store, 2,000 incidents, TF-IDF", makeIncidentHistorySpecialist({ memory }), alert);
    await time("incident-history, embedded store, 2,000 incidents, scripted embeddings (20 candidates)", makeIncidentHistorySpecialist({ memory, model: makeScriptedModel().model }), alert);
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
};

const main = async () => {
  await benchSlack();
  await benchDiscord();
  await benchCorrelationOnly();
  await benchIncidents();
};

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
