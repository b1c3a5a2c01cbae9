/**
 * The gate's tier 2 through a configured model: `defaults.model: openai:<id>` makes the server ask
 * an OpenAI-compatible endpoint (the in-repo fake) about mentions tier 1 cannot decide, and only
 * those; a model outage fails open.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenAi } from "@sre-on-call/adapters/model/openai/testing/fakeOpenAi";
import { buildApp } from "@sre-on-call/deploy/composition/buildApp";
import { parseConfigText } from "@sre-on-call/deploy/config/loadConfig";
import { modelFromSpec, modelSpecFor } from "@sre-on-call/deploy/runtime/buildModel";
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";

const config = (yaml: string) => {
  const c = parseConfigText(yaml, "test");
  if (Result.isFailure(c)) throw c.failure;
  return c.success;
};

describe("classifier tier 2 through a configured model", () => {
  it("picks the model by precedence: agent → SRE_ON_CALL_MODEL → defaults.model, and names a bad spec", () => {
    const c = config("defaults: { model: 'openai:gpt-4o-mini' }\nagents:\n  eks: { model: 'bedrock:anthropic.claude-3-5-haiku-20241022-v1:0' }");
    expect(modelSpecFor(c, {}, "classifier")).toBe("openai:gpt-4o-mini");
    expect(modelSpecFor(c, { SRE_ON_CALL_MODEL: "openai:local-llama" }, "classifier")).toBe("openai:local-llama");
    expect(modelSpecFor(c, { SRE_ON_CALL_MODEL: "openai:local-llama" }, "eks")).toBe("bedrock:anthropic.claude-3-5-haiku-20241022-v1:0");
    expect(modelFromSpec("none", {})).toBeUndefined();
    expect(() => modelFromSpec("gemini:x", {})).toThrow(/unknown model provider "gemini"/);
    expect(() => modelFromSpec("openai:", {})).toThrow(/names no model/);
  });

  it("asks the model only when tier 1 cannot decide, and fails open when it is down", async () => {
    const fake = await startFakeOpenAi({ apiKey: "sk-test-key-123456" });
    const dir = mkdtempSync(join(tmpdir(), "sre-tier2-"));
    const app = await buildApp({
      config: config(`defaults: { model: 'openai:triage-model' }\nstore: { directory: ${JSON.stringify(dir)} }\nclassifier: { chatter_hint: false }\nintake: { webhook_auth: disabled }`),
      env: { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "sk-test-key-123456" },
      cwd: dir,
      log: () => undefined,
      consoleWrite: () => undefined,
      dispatch: () => Effect.void
    });
    try {
      const mention = (text: string, id: string) =>
        Effect.runPromise(app.intake.handleChatEvent({ _tag: "Mention", platform: "slack", channelId: "C1", messageId: id, text, timestamp: Date.now(), eventId: id }, "console"));
      fake.script([{ content: [{ type: "text", text: '{"decision":"suppress","reason":"a release announcement"}' }], stopReason: "end_turn", usage: { inputTokens: 120, outputTokens: 12 } }]);
      const ambiguous = await mention("<@U1> the new build is on the canary hosts", "1.1");
      expect(ambiguous).toMatchObject({ _tag: "Suppressed", verdict: { tier: 2 } });
      expect(fake.requests()).toHaveLength(1);
      const decided = await mention("<@U1> thanks!", "1.2");
      expect(decided).toMatchObject({ _tag: "Suppressed", verdict: { tier: 1 } });
      expect(fake.requests()).toHaveLength(1);
      fake.failNext("auth", 1);
      const down = await mention("<@U1> the other build is on the canary hosts", "1.3");
      expect(down).toMatchObject({ _tag: "Investigating" });
    } finally {
      await app.close();
      await fake.close();
    }
  });
});
