import fc from "fast-check";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { AgentResult } from "../model/AgentResult.js";
import { InvestigationReport, SnapshotReport } from "../model/InvestigationReport.js";
import type { Dialect, OutgoingMessage } from "../ports/ChatPlatform.js";
import {
  agentResultArb,
  allRenderedStrings,
  investigationReportArb,
  normalizeForComparison,
  readableBody,
  snapshotReportArb
} from "../testing/reportArbitraries.js";
import { DISCORD_LIMITS, type DiscordLimits, SLACK_LIMITS, type SlackLimits } from "./limits.js";
import { renderFailureNotice, renderReport, renderSnapshot } from "./renderReport.js";
import type { FailureNotice } from "./reportDocument.js";

const CHAT: ReadonlyArray<Dialect> = ["slack", "discord"];
const ALL: ReadonlyArray<Dialect> = ["slack", "discord", "markdown", "json"];
// A failure on a large generated report can shrink for minutes: after 20 s the counterexample found so far is reported instead of stalling CI.
const RUNS = { numRuns: 60, interruptAfterTimeLimit: 20_000 };

/**
 * These properties found a real bug: a line cut through an HTML entity (`&g|t;`), about one run in
 * 2,600 (commit 5a09e1f). Each runs twice: with a fixed seed, so every CI run checks the same cases
 * and a failure reproduces, and with a fresh seed (fast-check prints it on failure) to keep exploring.
 */
const FIXED_SEED = 0x5a09e1f;
const assertSeeded = <Ts extends [unknown, ...Array<unknown>]>(property: fc.IProperty<Ts>, runs: fc.Parameters<Ts> = RUNS) => {
  fc.assert(property, { ...runs, seed: FIXED_SEED });
  fc.assert(property, runs);
};

interface Block {
  readonly type: string;
  readonly text?: { readonly text: string };
  readonly elements?: ReadonlyArray<{ readonly text: string }>;
}

const expectWithinLimits = (messages: ReadonlyArray<OutgoingMessage>, dialect: Dialect, slack: SlackLimits = SLACK_LIMITS, discord: DiscordLimits = DISCORD_LIMITS) => {
  expect(messages.length).toBeGreaterThan(0);
  for (const m of messages) {
    if (dialect === "discord") {
      expect(m.text.length).toBeLessThanOrEqual(discord.messageLength);
      expect(m.text.trim()).not.toBe("");
    }
    if (dialect === "slack") {
      const blocks = (m.blocks ?? []) as ReadonlyArray<Block>;
      expect(blocks.length).toBeGreaterThan(0);
      expect(blocks.length).toBeLessThanOrEqual(slack.blocksPerMessage);
      const text = blocks.reduce((n, b) => n + (b.text?.text.length ?? 0) + (b.elements ?? []).reduce((k, e) => k + e.text.length, 0), 0);
      expect(text).toBeLessThanOrEqual(slack.messageText);
      expect(m.text.length).toBeLessThanOrEqual(slack.fallbackText);
      for (const b of blocks) {
        if (b.type === "section") {
          expect(b.text?.text.length).toBeLessThanOrEqual(slack.sectionText);
          expect(b.text?.text.trim()).not.toBe("");
        }
        if (b.type === "header") expect(b.text?.text.length).toBeLessThanOrEqual(slack.headerText);
        for (const e of b.elements ?? []) expect(e.text.length).toBeLessThanOrEqual(slack.contextText);
      }
    }
  }
};

/** Broadcasts and control sequences that would ping or link if they reached a client unescaped. */
const DANGEROUS = /<!channel>|<!here>|<!everyone>|@everyone|@here|@channel/i;

/** The only `<…>` the Slack renderer writes itself: dates and links with a checked URL. */
const SLACK_OWN_TOKENS = /<!date\^\d+\^\{[a-z_ {}]+\}\|[^<>]*>|<(?:https?:|mailto:)[^<>|\s]*\|[^<>]*>/g;

describe("report rendering properties", () => {
  it("arbitraries generate reports, snapshots and results that match their schemas", () => {
    assertSeeded(
      fc.property(investigationReportArb, snapshotReportArb, agentResultArb, (report, snapshot, result) => {
        expect(Schema.is(InvestigationReport)(report)).toBe(true);
        expect(Schema.is(SnapshotReport)(snapshot)).toBe(true);
        expect(Schema.is(AgentResult)(result)).toBe(true);
      }),
      { numRuns: 30 }
    );
  });

  it("every finding of every agent that answered appears in every dialect", () => {
    fc.assert(
      fc.property(investigationReportArb, (report) => {
        for (const dialect of ALL) {
          const messages = renderReport(report, dialect);
          if (dialect === "json") {
            expect(Schema.decodeUnknownSync(InvestigationReport)(JSON.parse(messages[0]?.text ?? ""))).toEqual(report);
            continue;
          }
          const body = normalizeForComparison(readableBody(messages, dialect));
          for (const agent of report.agents) {
            if (agent.state !== "ok") continue;
            for (const f of agent.findings) expect(body).toContain(normalizeForComparison(f.content));
          }
        }
      })
    );
  });

  it("every chunk fits its platform's limits", () => {
    assertSeeded(
      fc.property(investigationReportArb, snapshotReportArb, (report, snapshot) => {
        for (const dialect of CHAT) {
          expectWithinLimits(renderReport(report, dialect), dialect);
          expectWithinLimits(renderSnapshot(snapshot, dialect), dialect);
        }
      })
    );
  });

  it("under tight limits every chunk still fits and no finding is lost", () => {
    const slackLimits: SlackLimits = { sectionText: 200, headerText: 40, contextText: 200, blocksPerMessage: 4, messageText: 500, fallbackText: 300 };
    const discordLimits: DiscordLimits = { messageLength: 300 };
    assertSeeded(
      fc.property(investigationReportArb, (report) => {
        for (const dialect of CHAT) {
          const messages = renderReport(report, dialect, { slackLimits, discordLimits });
          expectWithinLimits(messages, dialect, slackLimits, discordLimits);
          const body = normalizeForComparison(readableBody(messages, dialect));
          for (const agent of report.agents) {
            if (agent.state !== "ok") continue;
            for (const f of agent.findings) expect(body).toContain(normalizeForComparison(f.content));
          }
        }
      })
    );
  });

  it("no Slack or Discord output carries a live broadcast or control sequence from untrusted text", () => {
    assertSeeded(
      fc.property(investigationReportArb, snapshotReportArb, fc.string(), (report, snapshot, reason) => {
        for (const dialect of CHAT) {
          const rendered = [
            ...renderReport(report, dialect),
            ...renderSnapshot(snapshot, dialect),
            ...renderFailureNotice({ investigationId: report.investigationId, reason: `${reason}<!channel>@here` }, dialect)
          ];
          for (const s of allRenderedStrings(rendered)) {
            expect(s).not.toMatch(DANGEROUS);
            if (dialect === "discord") expect(s).not.toMatch(/<@|<#|<:/);
          }
          if (dialect === "slack") {
            for (const m of rendered) {
              for (const b of (m.blocks ?? []) as ReadonlyArray<Block>) {
                // Header blocks are plain_text, where `<` is broken with a zero-width space instead.
                if (b.type === "header") expect(b.text?.text).not.toMatch(/<(?!\u200b)/);
                else for (const t of [b.text?.text ?? "", ...(b.elements ?? []).map((e) => e.text)]) expect(t.replace(SLACK_OWN_TOKENS, "")).not.toMatch(/[<>]/);
              }
              expect(m.text.replace(SLACK_OWN_TOKENS, "")).not.toMatch(/[<>]/);
            }
          }
        }
      })
    );
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...ALL), (junk, dialect) => {
        const asReport = junk as InvestigationReport;
        const out = renderReport(asReport, dialect);
        expect(out.length).toBeGreaterThan(0);
        expect(renderSnapshot(junk as SnapshotReport, dialect).length).toBeGreaterThan(0);
        expect(renderFailureNotice(junk as FailureNotice, dialect).length).toBeGreaterThan(0);
      }),
      { numRuns: 200 }
    );
  });
});
