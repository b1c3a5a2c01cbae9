import { Result } from "effect";
import { isJsonObject } from "./json.js";

export const DEFAULT_EMBEDDING_MODEL_ID = "amazon.titan-embed-text-v2:0";

/** The output sizes Titan Text Embeddings V2 offers. */
export type TitanDimensions = 256 | 512 | 1024;

/** Titan models, by id, inference profile or ARN (whose model the id does not show, so it is trusted). */
export const isTitanEmbeddingModel = (modelId: string): boolean => /titan-embed/i.test(modelId) || modelId.startsWith("arn:");

/** Only V2 takes `dimensions` and `normalize`; V1 rejects parameters it does not know. */
const isV2 = (modelId: string): boolean => /titan-embed-text-v2/i.test(modelId) || modelId.startsWith("arn:");

export const titanRequestBody = (modelId: string, text: string, dimensions: TitanDimensions | undefined): string =>
  JSON.stringify(
    isV2(modelId) ? { inputText: text, ...(dimensions !== undefined ? { dimensions } : {}), normalize: true } : { inputText: text }
  );

export interface TitanEmbedding {
  readonly vector: ReadonlyArray<number>;
  readonly inputTokens: number;
}

/** Reads an InvokeModel body from Titan: `{ embedding: number[], inputTextTokenCount }`. */
export const decodeTitanEmbedding = (body: Uint8Array | undefined, dimensions: TitanDimensions | undefined): Result.Result<TitanEmbedding, string> => {
  if (body === undefined) return Result.fail("the embedding response has no body");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return Result.fail("the embedding response is not JSON");
  }
  if (!isJsonObject(parsed)) return Result.fail("the embedding response is not a JSON object");
  const embedding = parsed["embedding"];
  if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === "number" && Number.isFinite(x))) {
    return Result.fail("the embedding response has no vector of numbers");
  }
  if (dimensions !== undefined && embedding.length !== dimensions) {
    return Result.fail(`the embedding has ${embedding.length} dimensions, not the ${dimensions} asked for`);
  }
  const tokens = parsed["inputTextTokenCount"];
  return Result.succeed({
    vector: embedding as ReadonlyArray<number>,
    inputTokens: typeof tokens === "number" && Number.isFinite(tokens) && tokens >= 0 ? tokens : 0
  });
};
