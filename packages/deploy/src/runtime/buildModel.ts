import { makeBedrockModel, makeOpenAiCompatibleModel } from "@sre-on-call/adapters";
import { type ModelPortShape, redactingModel, tracedModel } from "@sre-on-call/core";
import { type AppConfig, agentConfigOf } from "../config/AppConfig.js";
import { type Env, envValue, StartupError } from "./buildChats.js";

/** Where a model is used; agents use their id. */
export type CallSite = "classifier" | "synthesis" | string;

/**
 * The model spec for a call site, by precedence: the agent's own `agents.<id>.model` →
 * `SRE_ON_CALL_MODEL` → `defaults.model` → `none`. Specs are `none`, `bedrock:<model id>` or
 * `openai:<model id>`.
 */
export const modelSpecFor = (config: AppConfig, env: Env, callSite: CallSite): string => {
  const agent = agentConfigOf(config, callSite);
  return agent?.model ?? envValue(env, "SRE_ON_CALL_MODEL") ?? config.defaults.model;
};

/**
 * A model adapter for a spec, redacting every prompt before it leaves. Bedrock: region from AWS_REGION (default us-east-1), credentials
 * from the default AWS chain, SRE_BEDROCK_ENDPOINT for another endpoint. OpenAI-compatible:
 * OPENAI_BASE_URL (default https://api.openai.com/v1) and OPENAI_API_KEY (optional for local
 * servers). A spec that names no known provider is a startup error naming the key.
 */
export const modelFromSpec = (spec: string, env: Env, key = "defaults.model"): ModelPortShape | undefined => {
  if (spec === "none" || spec.trim() === "") return undefined;
  const colon = spec.indexOf(":");
  const provider = colon === -1 ? spec : spec.slice(0, colon);
  const id = colon === -1 ? "" : spec.slice(colon + 1).trim();
  if (id === "") throw new StartupError(`${key}: "${spec}" names no model; write bedrock:<model id>, openai:<model id> or none.`);
  switch (provider) {
    case "bedrock": {
      const endpoint = envValue(env, "SRE_BEDROCK_ENDPOINT");
      return tracedModel(redactingModel(makeBedrockModel({ region: envValue(env, "AWS_REGION") ?? "us-east-1", defaultModelId: id, ...(endpoint !== undefined ? { endpoint } : {}) })));
    }
    case "openai": {
      const apiKey = envValue(env, "OPENAI_API_KEY");
      return tracedModel(redactingModel(makeOpenAiCompatibleModel({ baseUrl: envValue(env, "OPENAI_BASE_URL") ?? "https://api.openai.com/v1", defaultModelId: id, ...(apiKey !== undefined ? { apiKey } : {}) })));
    }
    default:
      throw new StartupError(`${key}: unknown model provider "${provider}"; write bedrock:<model id>, openai:<model id> or none.`);
  }
};
