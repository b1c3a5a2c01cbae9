import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { costLine, costOf, costOfUsage, isPriced } from "./costOf.js";
import { DEFAULT_PRICE_TABLE, decodePriceTable, findModelPrice, mergePriceTables, priceKeysFor } from "./PriceTable.js";

describe("DEFAULT_PRICE_TABLE", () => {
  it.each([
    ["anthropic.claude-3-haiku-20240307-v1:0", 0.25, 1.25],
    ["anthropic.claude-3-5-haiku-20241022-v1:0", 0.8, 4],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", 3, 15],
    ["anthropic.claude-3-7-sonnet-20250219-v1:0", 3, 15],
    ["anthropic.claude-sonnet-4-20250514-v1:0", 3, 15],
    ["anthropic.claude-opus-4-20250514-v1:0", 15, 75]
  ])("prices %s at $%s in / $%s out per million tokens", (model, input, output) => {
    expect(findModelPrice(model)).toMatchObject({ inputPerMTok: input, outputPerMTok: output });
    expect(costOf(model, 1_000_000, 1_000_000)).toEqual({ usd: input + output, priced: true });
  });

  it.each(["us.", "eu.", "apac.", "global."])("resolves the %s inference profile to the base model", (prefix) => {
    expect(costOf(`${prefix}anthropic.claude-3-5-haiku-20241022-v1:0`, 1000, 200)).toEqual(costOf("anthropic.claude-3-5-haiku-20241022-v1:0", 1000, 200));
  });

  it("prices the global profile of a 4.5 model below its regional endpoints", () => {
    const regional = costOf("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 0);
    const global = costOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 0);
    expect(global).toEqual({ usd: 3, priced: true });
    expect(regional.usd).toBeCloseTo(3.3, 10);
  });

  it("resolves ARNs, provisioned context suffixes, case and whitespace", () => {
    const base = findModelPrice("anthropic.claude-3-haiku-20240307-v1:0");
    expect(findModelPrice("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0")).toBe(base);
    expect(findModelPrice("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")).toBe(base);
    expect(findModelPrice("anthropic.claude-3-haiku-20240307-v1:0:200k")).toBe(base);
    expect(findModelPrice("  Anthropic.Claude-3-Haiku-20240307-V1:0 ")).toBe(base);
    expect(priceKeysFor("us.anthropic.x-v1:0:48k")).toEqual(["us.anthropic.x-v1:0:48k", "us.anthropic.x-v1:0", "anthropic.x-v1:0:48k", "anthropic.x-v1:0"]);
  });
});

describe("costOf", () => {
  it("computes dollars from tokens", () => {
    const c = costOf("anthropic.claude-3-5-haiku-20241022-v1:0", 1000, 200);
    expect(c.priced).toBe(true);
    expect(c.usd).toBeCloseTo(0.0016, 12);
  });

  it("never invents a price for an unknown model", () => {
    expect(costOf("openai.gpt-oss-120b-1:0", 1000, 1000)).toMatchObject({ usd: 0, priced: false });
    expect(costOf("constructor", 1, 1)).toMatchObject({ usd: 0, priced: false });
    expect(costOf("__proto__", 1, 1)).toMatchObject({ usd: 0, priced: false });
    expect(costOf("", 1, 1)).toMatchObject({ priced: false });
    expect(isPriced("us.anthropic.claude-opus-4-20250514-v1:0")).toBe(true);
    expect(isPriced("anthropic.claude-v2")).toBe(false);
  });

  it.each([
    [-1, 0],
    [0, Number.NaN],
    [Number.POSITIVE_INFINITY, 0]
  ])("refuses unusable token counts (%s, %s) with a reason", (input, output) => {
    const c = costOf("anthropic.claude-3-haiku-20240307-v1:0", input, output);
    expect(c).toMatchObject({ usd: 0, priced: false });
    expect(c.priced === false && c.reason).toMatch(/token counts/);
  });

  it("prices cache reads and writes, and refuses them for a model without cache prices", () => {
    const c = costOfUsage("anthropic.claude-sonnet-4-20250514-v1:0", { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 });
    expect(c.usd).toBeCloseTo(3 + 0.3 + 3.75, 10);
    expect(costOfUsage("anthropic.claude-3-haiku-20240307-v1:0", { inputTokens: 1, outputTokens: 1, cacheReadTokens: 5 })).toMatchObject({ priced: false });
  });

  it("builds a report cost line, with an unpriced model at $0", () => {
    expect(costLine("eks", "us.anthropic.claude-3-5-haiku-20241022-v1:0", { inputTokens: 1000, outputTokens: 200 })).toEqual({
      scope: "eks",
      modelId: "us.anthropic.claude-3-5-haiku-20241022-v1:0",
      inputTokens: 1000,
      outputTokens: 200,
      costUsd: 0.0016
    });
    expect(costLine("x", "mystery", { inputTokens: 10, outputTokens: -5 })).toEqual({ scope: "x", modelId: "mystery", inputTokens: 10, outputTokens: 0, costUsd: 0 });
  });
});

describe("mergePriceTables and decodePriceTable", () => {
  it("lets a later table override or add models, keys compared case-insensitively", () => {
    const merged = mergePriceTables(DEFAULT_PRICE_TABLE, {
      "ANTHROPIC.claude-3-5-sonnet-20241022-v2:0": { inputPerMTok: 6, outputPerMTok: 30 },
      "my.model": { inputPerMTok: 1, outputPerMTok: 2 }
    });
    expect(costOf("us.anthropic.claude-3-5-sonnet-20241022-v2:0", 1_000_000, 0, merged).usd).toBe(6);
    expect(costOf("my.model", 1_000_000, 1_000_000, merged)).toEqual({ usd: 3, priced: true });
    expect(costOf("anthropic.claude-3-haiku-20240307-v1:0", 1_000_000, 0, merged).usd).toBe(0.25);
    expect(costOf("my.model", 1, 1)).toMatchObject({ priced: false });
  });

  it("validates a table from configuration with a readable error", () => {
    expect(Result.isSuccess(decodePriceTable({ "m": { inputPerMTok: 1, outputPerMTok: 2, cacheReadPerMTok: 0.1 } }))).toBe(true);
    const bad = decodePriceTable({ m: { inputPerMTok: -1, outputPerMTok: "2" } });
    expect(Result.isFailure(bad)).toBe(true);
    if (Result.isFailure(bad)) expect(bad.failure.message).toMatch(/^invalid price table: /);
  });
});
