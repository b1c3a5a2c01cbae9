import { Effect } from "effect";
import type { ContentBlock, ModelPortShape } from "../ports/ModelPort.js";
import { type RedactOptions, redactDeep, redactSecrets } from "./redactSecrets.js";

const redactBlock = (b: ContentBlock, options: RedactOptions): ContentBlock =>
  b.type === "text"
    ? { ...b, text: redactSecrets(b.text, options) }
    : b.type === "toolResult"
      ? { ...b, content: redactSecrets(b.content, options) }
      : { ...b, input: redactDeep(b.input, options) };

/** A model whose every prompt — system, messages, tool inputs and results, texts to embed — is redacted first. */
export const redactingModel = (model: ModelPortShape, options: RedactOptions = {}): ModelPortShape => ({
  provider: model.provider,
  converse: (request) =>
    Effect.suspend(() =>
      model.converse({
        ...request,
        ...(request.system !== undefined ? { system: redactSecrets(request.system, options) } : {}),
        messages: request.messages.map((m) => ({ ...m, content: m.content.map((b) => redactBlock(b, options)) }))
      })
    ),
  embed: (request) => Effect.suspend(() => model.embed({ ...request, texts: request.texts.map((t) => redactSecrets(t, options)) }))
});
