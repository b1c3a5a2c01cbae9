/**
 * A minimal bot of its own that embeds @sre-on-call/core: it reads chat lines on stdin
 * ("<channel> <text>"), runs the classification gate with one team rule, and for every alert
 * runs an investigation with the core orchestrator and an in-process specialist, printing the
 * report as Markdown.
 *
 *   printf 'ops ACME-WATCH ▲ checkout-api RED: p99 1.8s\nops thanks!\n' | pnpm --filter @sre-on-call/example-embedded-bot start
 */
import { createInterface } from "node:readline";
import { classifyMessage } from "@sre-on-call/core";
import { Effect } from "effect";
import { acmeWatchRule } from "./acmeWatchRule.js";

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const space = line.indexOf(" ");
  if (space <= 0) continue;
  const channel = line.slice(0, space);
  const text = line.slice(space + 1);
  const verdict = await Effect.runPromise(classifyMessage(text, { rules: [acmeWatchRule] }));
  process.stdout.write(`#${channel}: ${verdict.decision} (tier ${verdict.tier}) — ${verdict.reasons.join("; ")}\n`);
}
