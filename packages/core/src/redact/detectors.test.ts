/**
 * Every builtin detector on its own, and the edges of the redaction helpers: each pattern is
 * named, and redacts its own example, every occurrence of it, with no help from the others (a
 * detector switched off is caught here even when a broader pattern would mask it elsewhere); the
 * AWS secret-key rule's boundaries; a URL whose user name is a credential word; non-strings,
 * cycles and depth in `redactDeep`; `makeRedactor`'s refusals; and a
 * model behind `redactingModel` that never sees a secret in any part of a request.
 */
import { Effect, Result } from "effect";
import { describe, expect, it } from "vitest";
import type { ConverseRequest, EmbedRequest, ModelPortShape } from "../ports/ModelPort.js";
import { makeRedactor } from "./makeRedactor.js";
import { redactingModel } from "./redactingModel.js";
import { REDACTED, redactDeep, redactSecrets, SECRET_PATTERNS } from "./redactSecrets.js";

/** Per detector: an example, and the part of it that must be gone after that detector alone. */
const EXAMPLES: Readonly<Record<string, { readonly text: string; readonly core: string }>> = {
  "private key": { text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpl4ntedKeyBody\n-----END RSA PRIVATE KEY-----", core: "MIIEpl4ntedKeyBody" },
  JWT: { text: "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.c2lnbmF0dXJlcGw0bnRlZA", core: "c2lnbmF0dXJlcGw0bnRlZA" },
  "AWS access key id": { text: "key AKIAQ3EGV7EXAMPL3K3Y", core: "Q3EGV7EXAMPL3K3Y" },
  "Slack token": { text: "xoxb-1234567890-Pl4ntedSlackBotT0ken", core: "Pl4ntedSlackBotT0ken" },
  "Slack app token": { text: "xapp-1-A0PL4NTED01-5171572773297-610b6a11f4b7eb819e87b767d80e6575", core: "610b6a11f4b7eb819e87b767d80e6575" },
  "Slack webhook": { text: "https://hooks.slack.com/services/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", core: "Pl4ntedWebhookSecret0123" },
  "Discord bot token": { text: "MTA4Pl4ntedDiscordUserId01.GxPl4n.Pl4ntedDiscordHmacPartAbCdEfGhIj", core: "Pl4ntedDiscordHmacPartAbCdEfGhIj" },
  "Discord webhook": { text: "https://discord.com/api/webhooks/123456789012345678/Pl4ntedDiscordWebhookTok3nAbCdEf", core: "Pl4ntedDiscordWebhookTok3nAbCdEf" },
  "GitHub token": { text: "ghp_Pl4ntedGitHubTokenAbCdEfGhIjKlMnOpQrStU", core: "Pl4ntedGitHubTokenAbCdEfGhIjKlMnOpQrStU" },
  "GitLab token": { text: "glpat-Pl4ntedGitLabTok3n_x", core: "Pl4ntedGitLabTok3n_x" },
  "Stripe key": { text: "sk_live_51Pl4ntedStripeKeyAbCdEfGhIjKl", core: "51Pl4ntedStripeKeyAbCdEfGhIjKl" },
  "npm token": { text: "//registry.npmjs.org/:_auth npm_Pl4ntedNpmTokenAbCdEfGhIjKlMnOpQrStU", core: "Pl4ntedNpmTokenAbCdEfGhIjKlMnOpQrStU" },
  "SendGrid key": { text: "SG.Pl4ntedSendGridId01234.Pl4ntedSendGridSecret0123456789abcdefghijkl", core: "Pl4ntedSendGridSecret0123456789abcdefghijkl" },
  "OpenAI/Anthropic key": { text: "sk-proj-Pl4ntedOpenAiKeyAbCdEfGh12", core: "Pl4ntedOpenAiKeyAbCdEfGh12" },
  "Google API key": { text: "maps AIzaSyPl4ntedGoogleKeyAbCdEfGhIjKlMnOp0", core: "Pl4ntedGoogleKeyAbCdEfGhIjKlMnOp0" },
  "Azure key": { text: "DefaultEndpointsProtocol=https;AccountKey=Pl4ntedAzureKey0123456789==;EndpointSuffix=x", core: "Pl4ntedAzureKey0123456789" },
  "Azure SAS signature": { text: "https://acct.blob.core.windows.net/c/b?sv=2020-08-04&sig=Pl4ntedSasSignature0123%3D", core: "Pl4ntedSasSignature0123" },
  "bearer token": { text: "Authorization: Bearer Pl4ntedBearerToken01", core: "Pl4ntedBearerToken01" },
  token: { text: "login with token Pl4ntedTok3nValue99", core: "Pl4ntedTok3nValue99" },
  "password in URL": { text: "postgres://app:Pl4ntedPgPass@db.internal:5432/orders", core: "Pl4ntedPgPass" },
  "password in Redis URL": { text: "rediss://Pl4ntedRedisPass@redis.payments.svc:6379", core: "Pl4ntedRedisPass" },
  "mysql -p password": { text: "mysql -u app -pPl4ntedGlued payments", core: "Pl4ntedGlued" },
  "redis-cli/sshpass password": { text: "redis-cli -h redis -a Pl4ntedRedisCliPw ping", core: "Pl4ntedRedisCliPw" },
  "credential option": { text: "mydumper --password Pl4ntedFlagPw --outputdir=/backup", core: "Pl4ntedFlagPw" },
  "quoted credential": { text: 'password: "pl4nted horse battery"', core: "pl4nted horse battery" },
  "environment credential": { text: "DB_PASS=Pl4ntedEnvPw", core: "Pl4ntedEnvPw" },
  "credential assignment": { text: "client_secret=Pl4ntedClientSecret", core: "Pl4ntedClientSecret" }
};

/** One detector alone, as `redactSecrets` applies it. */
const only = (name: string, text: string): string => {
  const p = SECRET_PATTERNS.find((x) => x.name === name)!;
  return text.replace(new RegExp(p.pattern.source, p.pattern.flags), p.replace ?? REDACTED);
};

describe("each builtin detector", () => {
  it("is named, once, and has an example here", () => {
    const names = SECRET_PATTERNS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it.each(Object.entries(EXAMPLES))("%s redacts its example on its own, and keeps the context", (name, { text, core }) => {
    const out = only(name, text);
    expect(out).not.toContain(core);
    expect(out).toContain("[REDACTED]");
    expect(redactSecrets(text)).not.toContain(core);
  });

  it.each(Object.entries(EXAMPLES))("%s redacts every occurrence in a text, not only the first", (name, { text, core }) => {
    expect(only(name, `${text}\n${text}`)).not.toContain(core);
  });
});

describe("the AWS secret access key rule", () => {
  const KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  it("redacts a 40-character base64 run in text about AWS or a secret, wherever it stands", () => {
    expect(redactSecrets(`aws creds: ${KEY} ok`)).toBe(`aws creds: ${REDACTED} ok`);
    expect(redactSecrets(`${KEY} is the secret`)).toBe(`${REDACTED} is the secret`);
    expect(redactSecrets(`the secret is ${KEY}`)).toBe(`the secret is ${REDACTED}`);
  });

  it("keeps runs that are longer, or not base64, and any 40-character run in text that mentions neither", () => {
    expect(redactSecrets(`aws creds: ${KEY}A ok`)).toBe(`aws creds: ${KEY}A ok`);
    expect(redactSecrets(`aws creds: x${KEY} ok`)).toBe(`aws creds: x${KEY} ok`);
    const punctuation = " .,;:!?()[]{}<>|~^`'\"-_#@%&*$ .,;:!?()[]";
    expect(redactSecrets(`aws ${punctuation}`)).toBe(`aws ${punctuation}`);
    // A git commit id is 40 hex characters: kept unless the text is about AWS or a secret.
    const commit = "3f9c0b7e1d2a4c6e8f0a1b2c3d4e5f60aabbccdd";
    expect(redactSecrets(`deployed commit ${commit}`)).toBe(`deployed commit ${commit}`);
  });
});

describe("redactSecrets and redactDeep at their edges", () => {
  it("returns what is not a string, and the empty string, unchanged", () => {
    expect(redactSecrets(undefined as unknown as string)).toBeUndefined();
    expect(redactSecrets(42 as unknown as string)).toBe(42);
    expect(redactSecrets("")).toBe("");
    // Even for an extra pattern that would match it (makeRedactor refuses those; redactSecrets may be handed one).
    expect(redactSecrets("", { extra: [/x*/] })).toBe("");
  });

  it("keeps a clone URL's host and path when its user name is itself a credential word", () => {
    // GitLab CI's CI_REPOSITORY_URL has this shape (https://gitlab-ci-token:[MASKED]@example.com/gitlab-org/gitlab.git
    // in GitLab's predefined-variables docs): the password goes, and the key=value rule must not then take the marker and the host.
    const url = "https://gitlab-ci-token:64_bYjsgT2RnKs4LGcpZ8xz@gitlab.example.com/gitlab-org/gitlab.git";
    expect(redactSecrets(`Fetching ${url}`)).toBe(`Fetching https://gitlab-ci-token:${REDACTED}@gitlab.example.com/gitlab-org/gitlab.git`);
  });

  it("applies an extra pattern without the g flag to every match", () => {
    expect(redactSecrets("EMP-1 and EMP-2", { extra: [/EMP-\d/] })).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it("walks objects and arrays, keeps other values, and stops on cycles and past 64 levels", () => {
    const secret = "PGPASSWORD=pl4ntedDeep";
    expect(redactDeep({ a: [secret, 3, null, true], b: { c: secret }, d: undefined })).toEqual({ a: ["PGPASSWORD=[REDACTED]", 3, null, true], b: { c: "PGPASSWORD=[REDACTED]" }, d: undefined });
    const cyclic: Record<string, unknown> = { note: secret };
    cyclic["self"] = cyclic;
    const out = redactDeep(cyclic);
    expect(out["note"]).toBe("PGPASSWORD=[REDACTED]");
    const cyclicList: Array<unknown> = [secret];
    cyclicList.push(cyclicList);
    expect(redactDeep(cyclicList)[0]).toBe("PGPASSWORD=[REDACTED]");
    const nest = (levels: number): unknown => {
      let v: unknown = secret;
      for (let i = 0; i < levels; i++) v = { v };
      return v;
    };
    const innermost = (v: unknown): unknown => {
      let x = v;
      while (typeof x === "object" && x !== null) x = (x as { v: unknown }).v;
      return x;
    };
    // The innermost object sits at depth levels − 1: walked up to depth 64, returned as it is beyond.
    expect(innermost(redactDeep(nest(65)))).toBe("PGPASSWORD=[REDACTED]");
    const beyond = nest(66);
    expect(innermost(redactDeep(beyond))).toBe(secret);
  });
});

describe("makeRedactor's refusals", () => {
  const reasonOf = (pattern: string) => {
    const r = makeRedactor([pattern]);
    return Result.isFailure(r) ? r.failure.reason : "accepted";
  };

  it("names each problem in its own words", () => {
    expect(reasonOf("")).toBe("the pattern is empty");
    expect(reasonOf("   ")).toBe("the pattern is empty");
    expect(reasonOf("x".repeat(500))).toBe("accepted");
    expect(reasonOf("x".repeat(501))).toBe("the pattern is longer than 500 characters");
    for (const nested of ["(a+)+", "(ab+)+", "(a+b)*", "(\\w*x)+", "(a*){2}"]) expect(reasonOf(nested), nested).toBe("nested quantifiers such as (a+)+ can take exponential time; rewrite the pattern without them");
    expect(reasonOf("(unclosed")).toMatch(/^not a valid regular expression \(Invalid regular expression: .*\)$/);
    expect(reasonOf("a?")).toBe("the pattern matches the empty string, which would redact nothing useful and everything in between");
  });

  it("accepts ordinary patterns, compiles sources as global, and has no extra pattern by default", () => {
    expect(reasonOf("(ab)+c")).toBe("accepted");
    expect(reasonOf("acme_[a-z0-9]{8}")).toBe("accepted");
    const r = makeRedactor(["EMP-\\d"]);
    expect(Result.isSuccess(r) && r.success.redact("EMP-1 EMP-2")).toBe(`${REDACTED} ${REDACTED}`);
    const none = makeRedactor();
    expect(Result.isSuccess(none) && none.success.extra).toEqual([]);
    expect(Result.isSuccess(none) && none.success.redact("Stryker was here")).toBe("Stryker was here");
  });
});

describe("redactingModel", () => {
  const SECRET = "PGPASSWORD=pl4ntedModelPw";
  const recording = () => {
    const converse: Array<ConverseRequest> = [];
    const embed: Array<EmbedRequest> = [];
    const model: ModelPortShape = {
      provider: "recording",
      converse: (request) =>
        Effect.sync(() => {
          converse.push(request);
          return { modelId: "m", content: [{ type: "text" as const, text: "ok" }], stopReason: "end_turn" as const, usage: { inputTokens: 1, outputTokens: 1 } };
        }),
      embed: (request) =>
        Effect.sync(() => {
          embed.push(request);
          return { modelId: "e", vectors: request.texts.map(() => [0]), usage: { inputTokens: 1, outputTokens: 0 } };
        })
    };
    return { model, converse, embed };
  };

  it("redacts the system prompt, text, tool results and tool inputs, and texts to embed, and keeps everything else", async () => {
    const { model, converse, embed } = recording();
    const safe = redactingModel(model, { extra: [/EMP-\d{6}/] });
    expect(safe.provider).toBe("recording");
    await Effect.runPromise(
      safe.converse({
        callSite: "synthesis",
        modelId: "m",
        system: `system ${SECRET} EMP-123456`,
        maxTokens: 10,
        messages: [
          { role: "user", content: [{ type: "text", text: `user ${SECRET}` }] },
          { role: "assistant", content: [{ type: "toolUse", id: "t1", name: "search", input: { query: SECRET, n: 3 } }] },
          { role: "user", content: [{ type: "toolResult", toolUseId: "t1", content: `found ${SECRET}`, isError: false }] }
        ]
      })
    );
    await Effect.runPromise(safe.embed({ callSite: "memory", texts: [`incident ${SECRET}`, "plain"] }));
    expect(converse).toEqual([
      {
        callSite: "synthesis",
        modelId: "m",
        system: "system PGPASSWORD=[REDACTED] [REDACTED]",
        maxTokens: 10,
        messages: [
          { role: "user", content: [{ type: "text", text: "user PGPASSWORD=[REDACTED]" }] },
          { role: "assistant", content: [{ type: "toolUse", id: "t1", name: "search", input: { query: "PGPASSWORD=[REDACTED]", n: 3 } }] },
          { role: "user", content: [{ type: "toolResult", toolUseId: "t1", content: "found PGPASSWORD=[REDACTED]", isError: false }] }
        ]
      }
    ]);
    expect(embed).toEqual([{ callSite: "memory", texts: ["incident PGPASSWORD=[REDACTED]", "plain"] }]);
  });

  it("adds no system prompt where there was none, and redacts with the builtin patterns by default", async () => {
    const { model, converse } = recording();
    await Effect.runPromise(redactingModel(model).converse({ callSite: "classifier", messages: [{ role: "user", content: [{ type: "text", text: SECRET }] }] }));
    expect(converse).toEqual([{ callSite: "classifier", messages: [{ role: "user", content: [{ type: "text", text: "PGPASSWORD=[REDACTED]" }] }] }]);
    expect(Object.keys(converse[0] ?? {})).not.toContain("system");
  });
});
