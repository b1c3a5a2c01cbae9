import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import type { Finding } from "../model/Finding.js";
import { InvestigationReport, type SnapshotReport } from "../model/InvestigationReport.js";
import { sampleReport } from "../testing/samples.js";
import { allRenderedStrings, readableBody } from "../testing/reportArbitraries.js";
import { DISCORD_LIMITS, SLACK_LIMITS } from "./limits.js";
import { renderFailureNotice, renderReport, renderSnapshot } from "./renderReport.js";

interface Block {
  readonly type: string;
  readonly text?: { readonly type: string; readonly text: string };
  readonly elements?: ReadonlyArray<{ readonly text: string }>;
}
const blocksOf = (m: { readonly blocks?: ReadonlyArray<unknown> }) => (m.blocks ?? []) as ReadonlyArray<Block>;

const finding = (n: number, content: string, extra: Partial<Finding> = {}): Finding => ({
  id: `eks:${n}`,
  agent: "eks",
  source: "kubernetes/pod/payments/api",
  timestamp: 1_700_000_000_000,
  content,
  severity: "high",
  metadata: {},
  ...extra
});

const withModel: InvestigationReport = {
  ...sampleReport,
  cost: {
    lines: [{ scope: "eks", modelId: "us.anthropic.claude-3-5-haiku-20241022-v1:0", inputTokens: 12_345, outputTokens: 678, costUsd: 0.0126 }],
    inputTokens: 12_345,
    outputTokens: 678,
    costUsd: 0.0126
  }
};

describe("renderReport — slack", () => {
  const [message, ...rest] = renderReport(withModel, "slack");
  const blocks = blocksOf(message ?? { text: "" });

  it("fits a normal report in one message with a header, sections, context and dividers", () => {
    expect(rest).toEqual([]);
    expect(blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "🔴 CRITICAL — KubePodCrashLooping in payments", emoji: true } });
    expect(blocks.map((b) => b.type)).toEqual(expect.arrayContaining(["header", "context", "section", "divider"]));
  });

  it("leads with the top hypothesis, its confidence and what would confirm it", () => {
    const sections = blocks.filter((b) => b.type === "section").map((b) => b.text?.text ?? "");
    const cause = sections.findIndex((t) => t.startsWith("*Most likely cause*"));
    const evidence = sections.findIndex((t) => t.includes("*eks*"));
    expect(cause).toBeGreaterThan(-1);
    expect(cause).toBeLessThan(evidence);
    expect(sections[cause]).toContain("*api is OOMKilled: memory limit 256Mi is too low* — high confidence");
    expect(sections[cause]).toContain("*What would confirm it:* kubectl -n payments describe pod");
  });

  it("marks every agent's state and groups evidence per agent in report order", () => {
    const sections = blocks.filter((b) => b.type === "section").map((b) => b.text?.text ?? "");
    const eks = sections.find((t) => t.startsWith("✅ *eks* — answered in 840 ms"));
    expect(eks).toContain("OOMKilled (exit 137)");
    expect(sections.some((t) => t.startsWith("⏸️ *prometheus* — disabled"))).toBe(true);
  });

  it("lists actions numbered, links as Slack links, and a cost footer", () => {
    const all = blocks.map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join("") ?? "").join("\n");
    expect(all).toContain("1. Raise the memory limit of api or fix the leak\n2. Check recent memory growth");
    expect(all).toContain("<https://runbooks.example.com/KubePodCrashLooping|Runbook (runbooks.example.com)>");
    expect(all).toContain("🧾 claude-3-5-haiku-20241022 · 12,345 in / 678 out tokens · $0.013 · took 840 ms");
  });

  it("shows the investigation id and the detection time in the context line", () => {
    const ctx = blocks[1]?.elements?.[0]?.text ?? "";
    expect(ctx).toContain("`inv-sample-1`");
    expect(ctx).toContain("<!date^1700000000^{date_short_pretty} {time_secs}|2023-11-14 22:13:20 UTC>");
  });

  it("gives a notification fallback naming the severity, the title and the likely cause", () => {
    expect(message?.text).toBe("🔴 CRITICAL: KubePodCrashLooping in payments — most likely api is OOMKilled: memory limit 256Mi is too low (high confidence) · `inv-sample-1`");
  });
});

describe("renderReport — discord and markdown", () => {
  it("renders Discord markdown with a heading, sub-text and no masked links", () => {
    const [m, ...rest] = renderReport(withModel, "discord");
    expect(rest).toEqual([]);
    expect(m?.blocks).toBeUndefined();
    expect(m?.text.startsWith("## 🔴 CRITICAL — KubePodCrashLooping in payments\n-# initial analysis · investigation `inv-sample-1`")).toBe(true);
    expect(m?.text).toContain("**Most likely cause**\n🎯 **api is OOMKilled: memory limit 256Mi is too low** — high confidence");
    expect(m?.text).toContain("Runbook (runbooks.example.com): <https://runbooks.example.com/KubePodCrashLooping>");
    expect(m?.text).toContain("<t:1700000000:f>");
  });

  it("renders one GitHub-Markdown document with real links and UTC times", () => {
    const out = renderReport(withModel, "markdown");
    expect(out).toHaveLength(1);
    const text = out[0]?.text ?? "";
    expect(text.startsWith("# 🔴 CRITICAL — KubePodCrashLooping in payments\n")).toBe(true);
    expect(text).toContain("### Most likely cause");
    expect(text).toContain("[Runbook (runbooks.example.com)](https://runbooks.example.com/KubePodCrashLooping)");
    expect(text).toContain("detected 2023-11-14 22:13:20 UTC via alertmanager");
  });

  it("renders JSON that decodes back to the same report", () => {
    const out = renderReport(withModel, "json");
    expect(out).toHaveLength(1);
    expect(Schema.decodeUnknownSync(InvestigationReport)(JSON.parse(out[0]?.text ?? ""))).toEqual(withModel);
  });

  it("flags a report that does not match its schema instead of throwing", () => {
    const broken = { ...withModel, detectedAt: Number.NaN, severity: "apocalyptic" } as unknown as InvestigationReport;
    const json = JSON.parse(renderReport(broken, "json")[0]?.text ?? "") as { _tag: string; reason: string };
    expect(json._tag).toBe("RenderError");
    expect(json.reason).toMatch(/^invalid investigation report/);
    for (const d of ["slack", "discord", "markdown"] as const) expect(renderReport(broken, d).length).toBeGreaterThan(0);
    expect(readableBody(renderReport(broken, "markdown"), "markdown")).toContain("unknown time");
  });
});

describe("renderReport — honesty and states", () => {
  it("says plainly when there is no hypothesis", () => {
    const none = { ...sampleReport, hypotheses: [] };
    for (const d of ["slack", "discord", "markdown"] as const) {
      const body = readableBody(renderReport(none, d), d);
      expect(body).toContain("No root-cause hypothesis: the evidence gathered so far does not point to a cause.");
      expect(body).not.toContain("Most likely cause");
    }
    expect(renderReport(none, "slack")[0]?.text).toContain("no cause established yet");
  });

  it("warns that a low-confidence top hypothesis is a lead, not a diagnosis", () => {
    const low = { ...sampleReport, hypotheses: sampleReport.hypotheses.map((h) => ({ ...h, confidence: "low" as const })) };
    expect(readableBody(renderReport(low, "discord"), "discord")).toContain("Low confidence: treat this as a lead to check, not a diagnosis.");
  });

  it("ranks further hypotheses below the top one with their confidence", () => {
    const more = {
      ...sampleReport,
      hypotheses: [...sampleReport.hypotheses, { ...sampleReport.hypotheses[0]!, id: "logs:h1", title: "memory leak in v2.3", confidence: "medium" as const, confirmBy: "compare heap profiles" }]
    };
    const body = readableBody(renderReport(more, "markdown"), "markdown");
    expect(body).toContain("Other hypotheses");
    expect(body).toContain("2. **memory leak in v2.3** — medium confidence");
    expect(body).toContain("Confirm: compare heap profiles");
  });

  it("gives each evidence state its own marker", () => {
    const states = ["ok", "running", "error", "unhealthy", "timeout", "disabled", "skipped"] as const;
    const report: InvestigationReport = {
      ...sampleReport,
      agents: states.map((state) => ({ agent: `agent-${state}`, state, summary: `${state} summary`, findings: [], ...(state === "error" ? { error: "access denied" } : {}) }))
    };
    const body = readableBody(renderReport(report, "discord"), "discord");
    const expected = ["✅ **agent-ok** — answered", "⏳ **agent-running** — still running", "❌ **agent-error** — failed", "🩺 **agent-unhealthy** — unhealthy", "⌛ **agent-timeout** — timed out", "⏸️ **agent-disabled** — disabled", "⏭️ **agent-skipped** — skipped"];
    for (const e of expected) expect(body).toContain(e);
    expect(body).toContain("**Error:** access denied");
    expect(body).toContain("Nothing abnormal found.");
  });

  it("says which models have no known price instead of showing a made-up cost", () => {
    const unpriced = { ...sampleReport, cost: { lines: [{ scope: "x", modelId: "acme.mystery-1", inputTokens: 10, outputTokens: 5, costUsd: 0 }], inputTokens: 10, outputTokens: 5, costUsd: 0 } };
    expect(readableBody(renderReport(unpriced, "markdown"), "markdown")).toContain("$0 (no price known for acme.mystery-1)");
  });

  it("renders an enrichment as an update with only the new agent's evidence", () => {
    const enrichment: InvestigationReport = {
      ...sampleReport,
      kind: "enrichment",
      summary: "Update: cloudwatch-logs answered with 1 findings. Most likely cause unchanged.",
      agents: [{ agent: "cloudwatch-logs", state: "ok", summary: "1 OOM line", findings: [{ ...finding(1, "java.lang.OutOfMemoryError: Java heap space"), id: "logs:1", agent: "cloudwatch-logs" }], durationMs: 70_000 }]
    };
    const [m] = renderReport(enrichment, "slack");
    const blocks = blocksOf(m ?? { text: "" });
    expect(blocks[0]?.text?.text).toBe("➕ Update — KubePodCrashLooping in payments");
    const sections = blocks.filter((b) => b.type === "section").map((b) => b.text?.text ?? "");
    expect(sections[0]).toBe("*What changed*\nUpdate: cloudwatch-logs answered with 1 findings. Most likely cause unchanged.");
    expect(sections.some((t) => t.startsWith("New evidence: ✅ *cloudwatch-logs* — answered in 1 min 10 s"))).toBe(true);
    expect(sections.join("\n")).not.toContain("*eks*");
    expect(sections.join("\n")).not.toContain("Recommended actions");
    expect(m?.text.startsWith("➕ Update: ")).toBe(true);
  });
});

describe("renderReport — hostile text", () => {
  const hostile: InvestigationReport = {
    ...sampleReport,
    title: "<!channel> @everyone [login](http://evil.example)",
    summary: "@here <!here> <@U1> & <b>",
    agents: [{ agent: "eks", state: "ok", summary: "ok", findings: [finding(1, "<!channel> ping @everyone and @here; see [docs](http://evil.example) & <@U1>")] }]
  };

  it("escapes Slack control sequences everywhere", () => {
    const out = renderReport(hostile, "slack");
    for (const s of allRenderedStrings(out)) {
      expect(s).not.toMatch(/<!channel>|<!here>|<@U1>|@everyone|@here/);
    }
    expect(readableBody(out, "slack")).toContain("<!channel> ping @everyone and @here; see [docs](http://evil.example) & <@U1>");
  });

  it("breaks Discord pings and masked links", () => {
    const out = renderReport(hostile, "discord");
    for (const s of allRenderedStrings(out)) {
      expect(s).not.toMatch(/@everyone|@here|<@U1>|(?<!\\)\[docs(?<!\\)\]\(/);
    }
    expect(readableBody(out, "discord")).toContain("<!channel> ping @everyone and @here; see [docs](http://evil.example) & <@U1>");
  });

  it("does not let a link label pose as another address", () => {
    const phishing = { ...sampleReport, links: [{ label: "https://good.example", url: "https://evil.example" }, { label: "click", url: "javascript:alert(1)" }] };
    const discord = renderReport(phishing, "discord")[0]?.text ?? "";
    // The label always carries the real host, and only http(s) is ever linked.
    expect(discord).toContain("https://good.example (evil.example): <https://evil.example>");
    expect(discord).toContain("`javascript:alert(1)`");
    const slack = renderReport(phishing, "slack").map((m) => JSON.stringify(m.blocks)).join("");
    expect(slack).toContain("|https://good.example (evil.example)>");
    expect(slack).not.toContain("<javascript:");
    expect(renderReport(phishing, "markdown")[0]?.text).not.toContain("](javascript:");
  });
});

describe("renderReport — splitting", () => {
  const many = (n: number, size: number): InvestigationReport => ({
    ...sampleReport,
    agents: [{ agent: "eks", state: "ok", summary: "many", findings: Array.from({ length: n }, (_, i) => finding(i + 1, `finding number ${i + 1}: ${"x".repeat(size)}`)) }]
  });

  it("splits a big Discord report into messages under 2000 characters, marked as continued", () => {
    const out = renderReport(many(120, 80), "discord");
    expect(out.length).toBeGreaterThan(3);
    for (const m of out) expect(m.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.messageLength);
    for (const [i, m] of out.entries()) if (i > 0) expect(m.text).toMatch(new RegExp(`^-# ↪ continued: KubePodCrashLooping in payments · \`inv-sample-1\` \\(${i + 1}/${out.length}\\)\\n`));
    const body = readableBody(out, "discord");
    for (let i = 1; i <= 120; i++) expect(body).toContain(`finding number ${i}: `);
  });

  it("splits a big Slack report into sections under 3000 characters and messages under 50 blocks", () => {
    const out = renderReport(many(2000, 60), "slack");
    expect(out.length).toBeGreaterThan(1);
    for (const [i, m] of out.entries()) {
      const blocks = blocksOf(m);
      expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
      expect(blocks.reduce((n, b) => n + (b.text?.text.length ?? 0) + (b.elements ?? []).reduce((k, e) => k + e.text.length, 0), 0)).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
      for (const b of blocks) if (b.type === "section") expect(b.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (i > 0) expect(blocks[0]?.type).toBe("context");
      expect(blocks[blocks.length - 1]?.type).not.toBe("divider");
    }
  });

  it("cuts a single over-long finding without losing any of it", () => {
    const long = `${"word ".repeat(1500)}END`;
    const report = { ...sampleReport, agents: [{ agent: "eks", state: "ok" as const, summary: "", findings: [finding(1, long)] }] };
    for (const d of ["slack", "discord"] as const) {
      const body = readableBody(renderReport(report, d), d).replace(/\s+/g, "");
      expect(body).toContain(long.replace(/\s+/g, ""));
    }
  });
});

describe("renderSnapshot and renderFailureNotice", () => {
  const snapshot: SnapshotReport = {
    snapshotId: "snap-1",
    generatedAt: 1_700_000_000_000,
    health: "degraded",
    sections: [
      { agent: "eks", state: "ok", health: "degraded", summary: "2 pods pending", findings: [finding(1, "pod web-1 Pending: insufficient cpu")], durationMs: 1200 },
      { agent: "prometheus", state: "timeout", health: "unknown", summary: "did not answer", findings: [] }
    ]
  };

  it("renders overall health, per-agent health and findings", () => {
    const body = readableBody(renderSnapshot(snapshot, "discord"), "discord");
    const text = renderSnapshot(snapshot, "discord")[0]?.text ?? "";
    expect(text.startsWith("## 🟡 Health snapshot — degraded")).toBe(true);
    expect(body).toContain("1 degraded, 1 unknown");
    expect(body).toContain("🟡 degraded · ✅ **eks** — answered in 1.2 s · 1 finding");
    expect(body).toContain("pod web-1 Pending: insufficient cpu");
    expect(body).toContain("⚪ unknown · ⌛ **prometheus** — timed out");
    expect(renderSnapshot(snapshot, "slack")[0]?.text).toContain("🟡 Health snapshot: degraded (1 degraded, 1 unknown)");
    expect(JSON.parse(renderSnapshot(snapshot, "json")[0]?.text ?? "")).toEqual(snapshot);
  });

  it("renders a failure notice with the id to quote, escaped", () => {
    const notice = { investigationId: "inv-9", reason: "boom <!channel> @here" };
    const slack = renderFailureNotice(notice, "slack")[0];
    expect(slack?.text).toBe("⚠️ Investigation `inv-9` failed: boom &lt;!channel&gt; @\u200bhere. Quote this id when reporting the problem.");
    expect(renderFailureNotice(notice, "discord")[0]?.text).toContain("failed: boom <\u200b!channel> @\u200bhere.");
    expect(JSON.parse(renderFailureNotice(notice, "json")[0]?.text ?? "")).toEqual({ _tag: "InvestigationFailed", investigationId: "inv-9", reason: notice.reason });
  });
});
