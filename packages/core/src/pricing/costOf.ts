import type { CostLine } from "../model/InvestigationReport.js";
import type { TokenUsage } from "../ports/ModelPort.js";
import { DEFAULT_PRICE_TABLE, findModelPrice, type PriceTable } from "./PriceTable.js";

/**
 * What some tokens cost. `priced` is false when the model is not in the table or the counts
 * are not usable; `usd` is then 0 and `reason` says why. A price is never made up.
 */
export type CostEstimate =
  | { readonly usd: number; readonly priced: true }
  | { readonly usd: 0; readonly priced: false; readonly reason: string };

/**
 * Token counts of one or more model calls, as Bedrock Converse reports them: the port's
 * usage (whose `inputTokens` excludes prompt-cache reads and writes) plus the cache counts.
 */
export interface BillableUsage extends TokenUsage {
  readonly cacheReadTokens?: number;
  readonly cacheWriteTokens?: number;
}

const PER_MILLION = 1_000_000;

const validCount = (n: number | undefined): boolean => n === undefined || (Number.isFinite(n) && n >= 0);

/** The cost of a model's usage, cache reads and writes included, from a price table. */
export const costOfUsage = (modelId: string, usage: BillableUsage, table: PriceTable = DEFAULT_PRICE_TABLE): CostEstimate => {
  const { inputTokens, outputTokens, cacheReadTokens = 0, cacheWriteTokens = 0 } = usage;
  if (![inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens].every(validCount)) {
    return { usd: 0, priced: false, reason: "token counts must be finite and not negative" };
  }
  const price = findModelPrice(modelId, table);
  if (price === undefined) return { usd: 0, priced: false, reason: `no price known for model ${JSON.stringify(modelId.slice(0, 200))}` };
  if (cacheReadTokens > 0 && price.cacheReadPerMTok === undefined) return { usd: 0, priced: false, reason: `no cache-read price known for model ${modelId}` };
  if (cacheWriteTokens > 0 && price.cacheWritePerMTok === undefined) return { usd: 0, priced: false, reason: `no cache-write price known for model ${modelId}` };
  const usd =
    (inputTokens * price.inputPerMTok +
      outputTokens * price.outputPerMTok +
      cacheReadTokens * (price.cacheReadPerMTok ?? 0) +
      cacheWriteTokens * (price.cacheWritePerMTok ?? 0)) /
    PER_MILLION;
  return { usd, priced: true };
};

/** The cost of `inputTokens` in and `outputTokens` out on `modelId`. */
export const costOf = (modelId: string, inputTokens: number, outputTokens: number, table: PriceTable = DEFAULT_PRICE_TABLE): CostEstimate =>
  costOfUsage(modelId, { inputTokens, outputTokens }, table);

/** A report cost line for one call site; an unpriced model costs 0 here (see `isPriced`). */
export const costLine = (scope: string, modelId: string, usage: BillableUsage, table: PriceTable = DEFAULT_PRICE_TABLE): CostLine => {
  const estimate = costOfUsage(modelId, usage, table);
  const tokens = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? n : 0);
  return {
    scope,
    modelId,
    inputTokens: tokens(usage.inputTokens) + tokens(usage.cacheReadTokens) + tokens(usage.cacheWriteTokens),
    outputTokens: tokens(usage.outputTokens),
    costUsd: estimate.usd
  };
};

/** Whether the table knows a price for the model (directly or through its base id). */
export const isPriced = (modelId: string, table: PriceTable = DEFAULT_PRICE_TABLE): boolean => findModelPrice(modelId, table) !== undefined;
