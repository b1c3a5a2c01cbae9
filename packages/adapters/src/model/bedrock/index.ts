export {
  type BedrockModelLogger,
  type BedrockModelOptions,
  type BedrockRetryPolicy,
  DEFAULT_BEDROCK_RETRY,
  makeBedrockModel
} from "./BedrockModel.js";
export { type BedrockFailure, describeBedrockError, scrubSecrets } from "./describeBedrockError.js";
export { type BedrockUsage, fromConverseOutput } from "./fromConverseOutput.js";
export { DEFAULT_EMBEDDING_MODEL_ID, type TitanDimensions } from "./titanEmbedding.js";
export { type BedrockGuardrail, type ConverseMapping, type StructuredTool, structuredToolName, toConverseInput } from "./toConverseInput.js";
