import { Result, Schema } from "effect";

/** Untrusted input did not match the expected shape. `message` is readable by an operator. */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  what: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid ${this.what}: ${this.reason}`;
  }
}

/**
 * Decodes untrusted input against a schema. Never throws: the failure carries every problem
 * found, each with the path it was found at.
 */
export const decodeUnknown =
  <S extends Schema.ConstraintDecoder<unknown>>(schema: S, what: string) =>
  (input: unknown): Result.Result<S["Type"], DecodeError> => {
    try {
      const r = Schema.decodeUnknownResult(schema)(input, { errors: "all", onExcessProperty: "ignore" });
      return Result.isSuccess(r) ? Result.succeed(r.success) : Result.fail(new DecodeError({ what, reason: r.failure.message }));
    } catch (cause) {
      return Result.fail(new DecodeError({ what, reason: cause instanceof Error ? cause.message : String(cause) }));
    }
  };
