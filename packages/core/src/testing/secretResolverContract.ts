import { Effect, Redacted } from "effect";
import type { SecretResolverShape } from "../ports/SecretResolver.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface SecretResolverHarness {
  /** A resolver that knows `name` → `value` and nothing called `unknownName`. */
  readonly make: (secret: { readonly name: string; readonly value: string }) => Promise<{
    readonly resolver: SecretResolverShape;
    readonly unknownName: string;
    readonly close?: () => Promise<void>;
  }>;
}

export const secretResolverContract = (harness: SecretResolverHarness): ReadonlyArray<ContractCase> => {
  const secret = { name: "slack-bot-token", value: "xoxb-1234567890-abcdefghijklmnop" };
  return [
    {
      name: "SecretResolver: a known secret resolves to its value and never prints it",
      run: () =>
        withResource(
          () => harness.make(secret),
          async ({ resolver }) => {
            const r = await Effect.runPromise(resolver.resolve(secret.name));
            checkEqual(Redacted.value(r), secret.value, "value");
            check(!String(r).includes(secret.value), "String() hides the value");
            check(!JSON.stringify({ r }).includes(secret.value), "JSON hides the value");
          }
        )
    },
    {
      name: "SecretResolver: an unknown secret is a SecretError naming it",
      run: () =>
        withResource(
          () => harness.make(secret),
          async ({ resolver, unknownName }) => {
            const e = await Effect.runPromise(Effect.flip(resolver.resolve(unknownName)));
            checkEqual(e._tag, "SecretError", "error tag");
            check(e.message.includes(unknownName), "message names the secret");
            check(!e.message.includes(secret.value), "message never contains a secret value");
          }
        )
    }
  ];
};
