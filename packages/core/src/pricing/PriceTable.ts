import type { Result } from "effect";
import { Schema } from "effect";
import { type DecodeError, decodeUnknown } from "../model/decode.js";
import { NonNegative } from "../model/primitives.js";

/** What one model costs, in US dollars per million tokens. */
export const ModelPrice = Schema.Struct({
  inputPerMTok: NonNegative,
  outputPerMTok: NonNegative,
  /** Prompt-cache writes, when the model supports prompt caching. */
  cacheWritePerMTok: Schema.optionalKey(NonNegative),
  /** Prompt-cache reads (hits), when the model supports prompt caching. */
  cacheReadPerMTok: Schema.optionalKey(NonNegative)
});
export type ModelPrice = typeof ModelPrice.Type;

/** Prices by model id. Keys are compared trimmed and lower-cased. */
export const PriceTable = Schema.Record(Schema.String, ModelPrice);
export type PriceTable = typeof PriceTable.Type;

/** Validates a price table from configuration; never throws. */
export const decodePriceTable = (input: unknown): Result.Result<PriceTable, DecodeError> =>
  decodeUnknown(PriceTable, "price table")(input);

const p = (inputPerMTok: number, outputPerMTok: number, cacheWritePerMTok?: number, cacheReadPerMTok?: number): ModelPrice => ({
  inputPerMTok,
  outputPerMTok,
  ...(cacheWritePerMTok !== undefined ? { cacheWritePerMTok } : {}),
  ...(cacheReadPerMTok !== undefined ? { cacheReadPerMTok } : {})
});

/**
 * Amazon Bedrock on-demand list prices for the Claude models (USD per 1M tokens, standard
 * tier, US regions). Sources: https://aws.amazon.com/bedrock/pricing/ (Anthropic section) and
 * https://platform.claude.com/docs/en/about-claude/pricing, which Bedrock matches for these
 * models; checked against both in 2026. Not covered: long-context surcharges (prompts over
 * 200k tokens), batch discounts, provisioned throughput, and Bedrock's "extended access"
 * prices for models past their Anthropic retirement date — override them with
 * `mergePriceTables` when they apply to your account.
 *
 * From the 4.5 generation on, Bedrock prices the in-region and geographic (`us.`, `eu.`,
 * `apac.`, …) endpoints 10% above the `global.` cross-region profile, hence the explicit
 * `global.` rows; for older models every inference profile costs the same as the base model.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  "anthropic.claude-3-haiku-20240307-v1:0": p(0.25, 1.25),
  "anthropic.claude-3-sonnet-20240229-v1:0": p(3, 15),
  "anthropic.claude-3-opus-20240229-v1:0": p(15, 75),
  "anthropic.claude-3-5-haiku-20241022-v1:0": p(0.8, 4, 1, 0.08),
  "anthropic.claude-3-5-sonnet-20240620-v1:0": p(3, 15),
  "anthropic.claude-3-5-sonnet-20241022-v2:0": p(3, 15, 3.75, 0.3),
  "anthropic.claude-3-7-sonnet-20250219-v1:0": p(3, 15, 3.75, 0.3),
  "anthropic.claude-sonnet-4-20250514-v1:0": p(3, 15, 3.75, 0.3),
  "anthropic.claude-opus-4-20250514-v1:0": p(15, 75, 18.75, 1.5),
  "anthropic.claude-opus-4-1-20250805-v1:0": p(15, 75, 18.75, 1.5),
  "anthropic.claude-sonnet-4-5-20250929-v1:0": p(3.3, 16.5, 4.125, 0.33),
  "global.anthropic.claude-sonnet-4-5-20250929-v1:0": p(3, 15, 3.75, 0.3),
  "anthropic.claude-haiku-4-5-20251001-v1:0": p(1.1, 5.5, 1.375, 0.11),
  "global.anthropic.claude-haiku-4-5-20251001-v1:0": p(1, 5, 1.25, 0.1),
  "anthropic.claude-opus-4-5-20251101-v1:0": p(5.5, 27.5, 6.875, 0.55),
  "global.anthropic.claude-opus-4-5-20251101-v1:0": p(5, 25, 6.25, 0.5)
};

const normalizeKey = (id: string): string => id.trim().toLowerCase();

/** Cross-region inference profiles prefix the base model id with a geography. */
const PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;

/**
 * The ids a model reference may be priced under, most specific first: the id as given, then
 * without an ARN's path, then without an inference-profile geography, then without a
 * provisioned context-window suffix (`:0:200k`).
 */
export const priceKeysFor = (modelId: string): ReadonlyArray<string> => {
  const keys: Array<string> = [];
  const add = (k: string) => {
    if (k !== "" && !keys.includes(k)) keys.push(k);
  };
  let id = normalizeKey(modelId);
  add(id);
  if (id.startsWith("arn:")) {
    id = id.slice(id.lastIndexOf("/") + 1);
    add(id);
  }
  const profile = id.match(PROFILE_PREFIX)?.[0];
  const withoutContext = id.replace(/(:\d+):\d+k$/, "$1");
  add(withoutContext);
  if (profile !== undefined) {
    add(id.slice(profile.length));
    add(withoutContext.slice(profile.length));
  }
  return keys;
};

/** The price a model id resolves to, or undefined when the table does not know it. */
export const findModelPrice = (modelId: string, table: PriceTable = DEFAULT_PRICE_TABLE): ModelPrice | undefined => {
  const normalized = normalizeTable(table);
  for (const key of priceKeysFor(modelId)) {
    const price = normalized.get(key);
    if (price !== undefined) return price;
  }
  return undefined;
};

// A Map, not an object: a model id such as `constructor` must not find Object.prototype.
const normalizedCache = new WeakMap<PriceTable, ReadonlyMap<string, ModelPrice>>();

const normalizeTable = (table: PriceTable): ReadonlyMap<string, ModelPrice> => {
  const cached = normalizedCache.get(table);
  if (cached !== undefined) return cached;
  const out = new Map<string, ModelPrice>();
  for (const [k, v] of Object.entries(table)) out.set(normalizeKey(k), v);
  normalizedCache.set(table, out);
  return out;
};

/** Combines price tables; a later table overrides an earlier one model by model. */
export const mergePriceTables = (...tables: ReadonlyArray<PriceTable>): PriceTable => {
  const merged = new Map<string, ModelPrice>();
  for (const t of tables) for (const [k, v] of Object.entries(t)) merged.set(normalizeKey(k), v);
  return Object.fromEntries(merged);
};
