import { Effect, Option } from "effect";
import type { ModelPortShape } from "../ports/ModelPort.js";
import { Telemetry } from "../ports/Telemetry.js";

/**
 * A model whose calls are spans (`model`, with the call site, provider and model id) under
 * whatever span is current — the agent's or the synthesis's — when the caller provides
 * `Telemetry`; without it, the model unchanged. Usage is logged after each call.
 */
export const tracedModel = (model: ModelPortShape): ModelPortShape => ({
  provider: model.provider,
  converse: (request) =>
    Effect.serviceOption(Telemetry).pipe(
      Effect.flatMap((telemetry) => {
        if (Option.isNone(telemetry)) return model.converse(request);
        const attributes = { callSite: request.callSite, provider: model.provider, modelId: request.modelId };
        return telemetry.value.span(
          "model",
          attributes,
          model.converse(request).pipe(
            Effect.tap((response) =>
              telemetry.value.log("debug", "model call", { ...attributes, modelId: response.modelId, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, stopReason: response.stopReason })
            )
          )
        );
      })
    ),
  embed: (request) =>
    Effect.serviceOption(Telemetry).pipe(
      Effect.flatMap((telemetry) =>
        Option.isNone(telemetry) ? model.embed(request) : telemetry.value.span("model.embed", { callSite: request.callSite, provider: model.provider }, model.embed(request))
      )
    )
});
