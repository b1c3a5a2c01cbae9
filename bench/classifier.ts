/**
 * Tier-1 classifier throughput on one core: the labelled corpus, cycled.
 * Run: pnpm bench classifier   (or: node --import tsx bench/classifier.ts)
 * Target (issue 2): at least 100,000 messages/s.
 */
import { readFileSync } from "node:fs";
import { classifyTier1 } from "@sre-on-call/core";

const fixtureTexts = (path: string): ReadonlyArray<string> =>
  readFileSync(new URL(`../packages/core/src/classify/fixtures/${path}`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { text: string }).text);
const corpus = fixtureTexts("corpus.jsonl");
/** The real alert-tool texts and on-call conversation (issue 15): longer, multi-line, every rule gets a say. */
const real = [...fixtureTexts("real/senders.jsonl"), ...fixtureTexts("real/conversation.jsonl")];

const measure = (label: string, texts: ReadonlyArray<string>, seconds: number): number => {
  // Warm up the JIT.
  for (let i = 0; i < 20_000; i++) classifyTier1(texts[i % texts.length]!);
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < until) {
    for (let i = 0; i < 1000; i++) sink += classifyTier1(texts[(n + i) % texts.length]!).reasons.length;
    n += 1000;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  const rate = n / elapsed;
  const avgChars = Math.round(texts.reduce((s, t) => s + t.length, 0) / texts.length);
  console.log(`${label.padEnd(34)} ${Math.round(rate).toLocaleString("en-US").padStart(10)} msg/s   ${(1e6 / rate).toFixed(2).padStart(6)} µs/msg   (${texts.length} distinct, avg ${avgChars} chars, sink ${sink > 0 ? "ok" : "?"})`);
  return rate;
};

const seconds = Number(process.env["BENCH_SECONDS"] ?? "2");
console.log(`classifier tier 1, one core, ${seconds}s per case, node ${process.version}`);
const all = measure("corpus (alerts + chatter)", corpus, seconds);
measure("short chatter (≤ 6 words)", corpus.filter((t) => t.split(/\s+/).length <= 7), seconds);
measure("long messages (≥ 200 chars)", corpus.filter((t) => t.length >= 200), seconds);
measure("real senders + conversation", real, seconds);
console.log(all >= 100_000 ? "target met: ≥ 100,000 msg/s" : "TARGET MISSED: < 100,000 msg/s");
