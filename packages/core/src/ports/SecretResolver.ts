import { Context, Schema } from "effect";
import type { Effect, Redacted } from "effect";

export class SecretError extends Schema.TaggedError<SecretError>()("SecretError", {
  name: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `secret ${this.name} could not be resolved: ${this.reason}`;
  }
}

export interface SecretResolverShape {
  /** The secret's value, wrapped so it never prints. Fails with a reason that never contains the value. */
  readonly resolve: (name: string) => Effect.Effect<Redacted.Redacted<string>, SecretError>;
}

export class SecretResolver extends Context.Service<SecretResolver, SecretResolverShape>()("sre-on-call/SecretResolver") {}
