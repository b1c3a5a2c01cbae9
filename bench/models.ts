/**
 * What the model synthesis costs, per investigation, on the bundled fixtures: every scenario of
 * examples/scenarios and the payments outage (EKS dump + CloudWatch log export). For each it
 * runs the deterministic pipeline, builds the exact synthesis prompt `synthesizeWithModel` sends
 * (system prompt, data blocks, response schema), estimates its tokens, prices the call for the
 * default Bedrock and OpenAI models, then drives a scripted model that answers with a realistic
 * reply (a complete, cited synthesis of the deterministic result) and checks that the answer is
 * accepted and the top hypothesis kept. It also prints the accuracy of the top hypothesis with
 * the deterministic synthesis alone, and the cost of the optional routing call.
 *
 *   node --import tsx bench/models.ts
 *
 * Token estimate: a BPE-like count, not chars/4 — letter runs of up to 7 characters are one
 * token and longer ones one per 5 characters, digits one per 3 (as the GPT-4o and Claude
 * tokenizers group them), runs of punctuation one per 2 characters (`="`, `">`, `</` merge),
 * newlines one, spaces free (they merge into the next word). On the prompts here, with their
 * ids, paths, addresses and markup, this comes out well above chars/4, which is tuned for
 * English prose; chars/4 is printed alongside so the range is visible. Bedrock adds the tool-use system prompt of a forced tool call
 * (313 tokens for Claude Sonnet 4.x, Anthropic's documented figure); the response schema is
 * counted on both providers, since both send it (OpenAI as `json_schema`, Bedrock as the tool).
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Duration, Effect, Result } from "effect";
import {
  type AlertContext,
  buildReport,
  buildSynthesisPrompt,
  ChatPlatform,
  costOf,
  DEFAULT_PRICE_TABLE,
  type InvestigationReport,
  mergePriceTables,
  parseAlertPayload,
  renderReport,
  routingPrompt,
  ROUTING_RESPONSE_SCHEMA,
  ROUTING_SYSTEM_PROMPT,
  runInvestigation,
  type Specialist,
  Specialists,
  type Synthesis,
  type SynthesisRequest,
  synthesizeDeterministic,
  synthesizeWithModelDetailed
} from "../packages/core/src/index.js";
import { makeInMemoryChat, makeScriptedModel } from "../packages/core/src/testing/index.js";
import { makeEksSpecialist } from "../packages/agents/src/eks/EksSpecialist.js";
import { makeDumpClusterSource } from "../packages/agents/src/eks/source/DumpClusterSource.js";
import { readScenarios, type ScenarioExpectation, scoreScenario } from "../packages/agents/src/eks/testing/writeScenarios.js";
import { cliSpecialists } from "../packages/deploy/src/cli/commands/cliSpecialists.js";
import { DEFAULT_SYNTHESIS_MODELS, OPENAI_PRICE_TABLE } from "../packages/deploy/src/runtime/InvestigationRunner.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PRICES = mergePriceTables(DEFAULT_PRICE_TABLE, OPENAI_PRICE_TABLE);
const BEDROCK = DEFAULT_SYNTHESIS_MODELS.bedrock;
const OPENAI = DEFAULT_SYNTHESIS_MODELS.openai;
const BEDROCK_TOOL_OVERHEAD = 313;
const OPENAI_OVERHEAD = 10;

/** See the header: a BPE-like token estimate. */
export const estimateTokens = (text: string): number => {
  let n = 0;
  for (const m of text.matchAll(/[A-Za-z]+|[0-9]+|\n+|[ \t]+|[^A-Za-z0-9\s]+/g)) {
    const t = m[0];
    if (/^[A-Za-z]/.test(t)) n += t.length <= 7 ? 1 : Math.ceil(t.length / 5);
    else if (/^[0-9]/.test(t)) n += Math.ceil(t.length / 3);
    else if (t.startsWith("\n")) n += 1;
    else if (/^[ \t]/.test(t)) n += 0;
    else n += Math.ceil(t.length / 2);
  }
  return n;
};

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);
const usd = (x: number) => `$${x.toFixed(4)}`;

interface Case {
  readonly name: string;
  readonly alert: AlertContext;
  readonly expected: ScenarioExpectation;
  readonly specialists: ReadonlyArray<Specialist>;
  readonly close?: () => Promise<void>;
}

/** Runs the deterministic pipeline and keeps the last synthesis request (the final report's). */
const investigate = async (c: Case): Promise<{ readonly report: InvestigationReport; readonly request: SynthesisRequest }> => {
  let request: SynthesisRequest | undefined;
  const chat = makeInMemoryChat({ dialect: "markdown" });
  const outcome = await Effect.runPromise(
    runInvestigation(c.alert, {
      render: (report, dialect) => renderReport(report, dialect),
      synthesize: (r) =>
        Effect.sync(() => {
          request = r;
          return synthesizeDeterministic(r);
        }),
      reportAfter: Duration.seconds(30),
      synthesisReserve: Duration.seconds(1),
      hardCutoff: Duration.seconds(30),
      announce: false
    }).pipe(Effect.provideService(ChatPlatform, chat.chat), Effect.provideService(Specialists, { enabled: c.specialists, disabled: [] }))
  );
  if (request === undefined) throw new Error(`${c.name}: no synthesis request`);
  return { report: outcome.final, request };
};

/** The answer a good model gives: the deterministic result restated as a complete, cited synthesis. */
const realisticAnswer = (request: SynthesisRequest, synthesis: Synthesis): unknown => {
  const findings = request.outcomes.flatMap((o) => o.result?.findings ?? []);
  const hs = synthesis.hypotheses ?? [];
  const cite = (ids: ReadonlyArray<string>) => (ids.length > 0 ? ids.slice(0, 4) : findings.slice(0, 1).map((f) => f.id));
  const hyp = (h: (typeof hs)[number]) => ({
    title: h.title,
    detail: h.detail !== "" ? h.detail : `${h.title}; supported by ${h.supportingFindings.length} finding(s).`,
    confidence: h.confidence,
    citations: cite(h.supportingFindings),
    chain: (h.chain ?? []).map((link, i) => ({ text: link, citations: cite(h.supportingFindings.slice(i, i + 1)) })),
    confirmBy: h.confirmBy
  });
  const top = hs[0];
  const ruled = findings.filter((f) => f.metadata["ruledOut"] === true).slice(0, 2);
  return {
    rootCause: top !== undefined ? hyp(top) : null,
    competing: hs.slice(1, 3).map(hyp),
    ruledOut: ruled.map((f) => ({ text: `${f.content.slice(0, 120)}: checked, not the cause`, citations: [f.id] })),
    impact: { text: `${request.alert.entities.namespace ?? "the service"}/${request.alert.entities.deployment ?? request.alert.entities.service ?? "workload"} is degraded: requests fail or pods are not ready; user impact follows from the alert.`, citations: cite(top?.supportingFindings ?? []) },
    actions: [
      ...(top?.actions ?? []).slice(0, 1),
      ...(top !== undefined && top.confirmBy !== "" ? [`Confirm: ${top.confirmBy}`] : []),
      "Check what changed around the alert time (deploys, config, traffic)."
    ].map((text) => ({ text, citations: cite(top?.supportingFindings ?? []) }))
  };
};

const scenarioCases = async (): Promise<ReadonlyArray<Case>> => {
  const scenarios = await Effect.runPromise(readScenarios(`${ROOT}examples/scenarios/`));
  return scenarios.map((s) => ({ name: s.name, alert: s.alert, expected: s.expected, specialists: [makeEksSpecialist(makeDumpClusterSource(s.dump))] }));
};

const paymentsOutage = async (): Promise<Case> => {
  const payload: unknown = JSON.parse(await readFile(`${ROOT}examples/payments-outage/alert.json`, "utf8"));
  const parsed = parseAlertPayload(payload, { now: Date.now(), windowMinutes: 5, deadlineMs: 60_000, channelId: "bench", messageId: "bench" });
  if (Result.isFailure(parsed)) throw new Error(parsed.failure.message);
  const alert = parsed.success.alerts[0];
  if (alert === undefined) throw new Error("payments-outage: no alert");
  const io = { stdout: () => undefined, stderr: () => undefined, stdinLines: async function* () {}, stdinText: () => Promise.resolve(""), env: {}, cwd: ROOT, isTty: false };
  const specialists = await cliSpecialists({ "cluster-dump": "examples/payments-outage/cluster-dump", logs: "examples/payments-outage/logs" }, undefined, io, () => undefined);
  return {
    name: "payments-outage (eks + logs)",
    alert,
    expected: { rootCause: { requiredTerms: ["data-payments-db-0", "full"] }, affected: "payments/api" },
    specialists: specialists.enabled,
    close: () => specialists.close()
  };
};

const main = async () => {
  const cases = [...(await scenarioCases()), await paymentsOutage()];
  console.log(`synthesis call per investigation: exact prompt of buildSynthesisPrompt, scripted reply of realistic size`);
  console.log(`models: Bedrock ${BEDROCK}, OpenAI ${OPENAI}; tokens estimated (see header), chars/4 in brackets`);
  console.log(`${pad("scenario", 34)} ${lpad("find.", 5)} ${lpad("in tok", 14)} ${lpad("out", 5)} ${lpad("Bedrock", 9)} ${lpad("OpenAI", 9)}  answer    top kept  top (deterministic)`);
  let hits = 0;
  let highWrong = 0;
  let accepted = 0;
  let topKept = 0;
  const totals = { inBedrock: 0, inOpenAi: 0, out: 0, bedrock: 0, openai: 0, chars4: 0 };
  const inputs: Array<number> = [];
  for (const c of cases) {
    try {
      const { report, request } = await investigate(c);
      const score = scoreScenario(c.expected, report, request.outcomes.find((o) => o.agent === "eks")?.result);
      if (score.hit) hits++;
      if (score.highConfidenceWrong) highWrong++;

      const deterministic = synthesizeDeterministic(request);
      const prompt = buildSynthesisPrompt({ alert: request.alert, outcomes: request.outcomes, hypotheses: deterministic.hypotheses ?? [] });
      const user = prompt.request.messages.flatMap((m) => m.content).map((b) => (b.type === "text" ? b.text : "")).join("\n");
      const schema = JSON.stringify(prompt.request.responseSchema?.schema ?? {});
      const promptTokens = estimateTokens(prompt.request.system ?? "") + estimateTokens(user) + estimateTokens(schema);
      const chars4 = Math.ceil(((prompt.request.system ?? "").length + user.length + schema.length) / 4);
      const answer = realisticAnswer(request, deterministic);
      const answerText = JSON.stringify(answer);
      const outTokens = estimateTokens(answerText);
      const inBedrock = promptTokens + BEDROCK_TOOL_OVERHEAD;
      const inOpenAi = promptTokens + OPENAI_OVERHEAD;
      const bedrock = costOf(BEDROCK, inBedrock, outTokens, PRICES).usd;
      const openai = costOf(OPENAI, inOpenAi, outTokens, PRICES).usd;

      // Drive the real synthesis with a scripted model answering that reply.
      const scripted = makeScriptedModel({ modelId: BEDROCK });
      scripted.script([{ content: [{ type: "text", text: answerText }], stopReason: "end_turn", usage: { inputTokens: inBedrock, outputTokens: outTokens } }]);
      const result = await Effect.runPromise(synthesizeWithModelDetailed(scripted.model, request, { priceTable: PRICES }));
      const withModel = buildReport({ alert: request.alert, kind: "final", generatedAt: Date.now(), outcomes: request.outcomes, synthesis: result.synthesis });
      const kept = withModel.hypotheses[0]?.title === report.hypotheses[0]?.title;
      if (result.verdict.used === "model") accepted++;
      if (kept) topKept++;
      const billed = result.cost?.costUsd ?? 0;
      if (Math.abs(billed - bedrock) > 1e-9) throw new Error(`${c.name}: the synthesis billed ${billed}, the bench priced ${bedrock}`);

      totals.inBedrock += inBedrock;
      totals.inOpenAi += inOpenAi;
      totals.out += outTokens;
      totals.bedrock += bedrock;
      totals.openai += openai;
      totals.chars4 += chars4;
      inputs.push(inBedrock);
      console.log(
        `${pad(c.name, 34)} ${lpad(String(prompt.shownFindings.length), 5)} ${lpad(`${inBedrock} [${chars4}]`, 14)} ${lpad(String(outTokens), 5)} ${lpad(usd(bedrock), 9)} ${lpad(usd(openai), 9)}  ${result.verdict.used === "model" ? "accepted" : "fallback"}  ${kept ? "yes" : "NO "}       ${score.hit ? "hit " : "MISS"} ${report.hypotheses[0]?.title.slice(0, 70) ?? "(none)"}`
      );
    } finally {
      await c.close?.();
    }
  }
  const n = Math.max(1, cases.length);
  console.log(
    `total (${cases.length} investigations): Bedrock ${totals.inBedrock} in / ${totals.out} out tokens ${usd(totals.bedrock)}, OpenAI ${totals.inOpenAi} in / ${totals.out} out ${usd(totals.openai)}`
  );
  console.log(
    `mean per investigation: Bedrock ${Math.round(totals.inBedrock / n)} in / ${Math.round(totals.out / n)} out ${usd(totals.bedrock / n)}, OpenAI ${usd(totals.openai / n)}; largest prompt ${Math.max(...inputs)} tokens; chars/4 would say ${Math.round(totals.chars4 / n)} in`
  );
  console.log(`scripted answers accepted: ${accepted}/${cases.length} (accepted: at least one cited claim; a healthy cluster has no root cause to cite); top hypothesis kept: ${topKept}/${cases.length}`);
  console.log(`accuracy of the top hypothesis with the deterministic synthesis: ${hits}/${cases.length} (${((100 * hits) / n).toFixed(0)}%), high-confidence wrong: ${highWrong}`);

  // The optional routing call, for the payments outage alert and the six specialists.
  const outage = cases[cases.length - 1]!;
  const candidates = [
    { id: "eks", description: "Kubernetes/EKS objects, events, pod logs and volumes" },
    { id: "cloudwatch-logs", description: "CloudWatch Logs Insights queries over application and platform logs" },
    { id: "prometheus", description: "Prometheus metrics and active alerts" },
    { id: "slack-scanner", description: "recent messages in the team's Slack channels" },
    { id: "discord-scanner", description: "recent messages in the team's Discord channels" },
    { id: "incident-history", description: "similar past incidents and their resolutions" }
  ];
  const routeIn = estimateTokens(ROUTING_SYSTEM_PROMPT) + estimateTokens(routingPrompt(outage.alert, candidates)) + estimateTokens(JSON.stringify(ROUTING_RESPONSE_SCHEMA)) + BEDROCK_TOOL_OVERHEAD;
  const routeOut = estimateTokens('{"agents":["eks","cloudwatch-logs","prometheus"],"reason":"a workload alert: cluster state, its logs and metrics"}');
  console.log(
    `routing call (payments outage, 6 candidates): ~${routeIn} in / ${routeOut} out tokens: Bedrock ${usd(costOf(BEDROCK, routeIn, routeOut, PRICES).usd)}, OpenAI ${usd(costOf(OPENAI, routeIn - BEDROCK_TOOL_OVERHEAD + OPENAI_OVERHEAD, routeOut, PRICES).usd)}`
  );
};

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
