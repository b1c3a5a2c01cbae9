export { makeOpenAiCompatibleModel } from "./OpenAiCompatibleModel.js";
export type { OpenAiCompatibleModelOptions, OpenAiRetryOptions } from "./OpenAiCompatibleModel.js";
export type { StructuredMode as OpenAiStructuredMode, WireQuirks as OpenAiWireQuirks } from "./encodeChatRequest.js";
