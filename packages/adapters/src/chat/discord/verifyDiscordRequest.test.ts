import fc from "fast-check";
import { Result } from "effect";
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { verifyDiscordRequest, type DiscordHeaders } from "./verifyDiscordRequest.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const keys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(7));
const otherKeys = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(9));
const NOW = 1_700_000_000_000;
const TS = String(NOW / 1000);
const BODY = '{"type":1,"id":"1170000000000000000","application_id":"1160000000000000000","token":"abc"}';

const sign = (timestamp: string, body: string | Uint8Array, secretKey = keys.secretKey) => {
  const bodyBytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const message = new Uint8Array([...new TextEncoder().encode(timestamp), ...bodyBytes]);
  return hex(nacl.sign.detached(message, secretKey));
};

const verify = (overrides: { headers?: DiscordHeaders; body?: string | Uint8Array; publicKeyHex?: string; now?: number } = {}) =>
  verifyDiscordRequest({
    publicKeyHex: overrides.publicKeyHex ?? hex(keys.publicKey),
    headers: overrides.headers ?? { "x-signature-ed25519": sign(TS, BODY), "x-signature-timestamp": TS },
    rawBody: overrides.body ?? BODY,
    now: overrides.now ?? NOW
  });

const kind = (r: ReturnType<typeof verifyDiscordRequest>) => (Result.isFailure(r) ? r.failure.kind : "ok");

describe("verifyDiscordRequest", () => {
  it("accepts a request signed with the application key", () => {
    const r = verify();
    expect(Result.isSuccess(r) && r.success.timestamp).toBe(NOW / 1000);
  });

  it("reads headers in any letter case and a body given as bytes", () => {
    const body = new TextEncoder().encode(BODY);
    expect(kind(verify({ body, headers: { "X-Signature-Ed25519": sign(TS, body), "X-Signature-Timestamp": TS } }))).toBe("ok");
  });

  it("rejects a signature made with another key, with a tagged error that says why", () => {
    const r = verify({ headers: { "x-signature-ed25519": sign(TS, BODY, otherKeys.secretKey), "x-signature-timestamp": TS } });
    expect(kind(r)).toBe("bad-signature");
    // Callers tell it from other failures by its tag (`Effect.catchTag`), and log the reason.
    expect(Result.isFailure(r) && r.failure._tag).toBe("DiscordVerificationError");
    expect(Result.isFailure(r) && r.failure.message).toBe("Discord request rejected: the signature does not match the body and timestamp");
  });

  it("rejects a tampered body and a swapped timestamp", () => {
    expect(kind(verify({ body: BODY.replace('"type":1', '"type":2') }))).toBe("bad-signature");
    const later = String(Number(TS) + 1);
    expect(kind(verify({ headers: { "x-signature-ed25519": sign(TS, BODY), "x-signature-timestamp": later } }))).toBe("bad-signature");
  });

  it("rejects stale and future timestamps even when correctly signed", () => {
    const old = String(NOW / 1000 - 301);
    const stale = verify({ headers: { "x-signature-ed25519": sign(old, BODY), "x-signature-timestamp": old } });
    expect(kind(stale)).toBe("stale");
    expect(Result.isFailure(stale) && stale.failure.message).toMatch(/301 s old/);
    const ahead = String(NOW / 1000 + 301);
    expect(kind(verify({ headers: { "x-signature-ed25519": sign(ahead, BODY), "x-signature-timestamp": ahead } }))).toBe("future");
    const edge = String(NOW / 1000 - 300);
    expect(kind(verify({ headers: { "x-signature-ed25519": sign(edge, BODY), "x-signature-timestamp": edge } }))).toBe("ok");
  });

  it("explains missing and malformed headers and a bad key without echoing them", () => {
    const sig = sign(TS, BODY);
    expect(kind(verify({ headers: { "x-signature-timestamp": TS } }))).toBe("missing-header");
    expect(kind(verify({ headers: { "x-signature-ed25519": sig } }))).toBe("missing-header");
    expect(kind(verify({ headers: { "x-signature-ed25519": sig.slice(2), "x-signature-timestamp": TS } }))).toBe("malformed-header");
    expect(kind(verify({ headers: { "x-signature-ed25519": `zz${sig.slice(2)}`, "x-signature-timestamp": TS } }))).toBe("malformed-header");
    expect(kind(verify({ headers: { "x-signature-ed25519": sig, "x-signature-timestamp": "yesterday" } }))).toBe("malformed-header");
    expect(kind(verify({ headers: { "x-signature-ed25519": [sig, sig], "x-signature-timestamp": TS } }))).toBe("malformed-header");
    const badKey = verify({ publicKeyHex: "not-a-key" });
    expect(kind(badKey)).toBe("bad-public-key");
    const reasons = [badKey, verify({ headers: { "x-signature-ed25519": `zz${sig.slice(2)}`, "x-signature-timestamp": TS } })].map((r) =>
      Result.isFailure(r) ? r.failure.reason : ""
    );
    for (const reason of reasons) {
      expect(reason).not.toContain(sig.slice(2));
      expect(reason.length).toBeGreaterThan(10);
    }
  });

  it("says exactly which header is missing, repeated or malformed, and how far a timestamp is off", () => {
    const sig = sign(TS, BODY);
    const reason = (r: ReturnType<typeof verifyDiscordRequest>) => (Result.isFailure(r) ? `${r.failure.kind}: ${r.failure.reason}` : "ok");
    expect(reason(verify({ headers: { "x-signature-timestamp": TS } }))).toBe("missing-header: missing X-Signature-Ed25519 header");
    expect(reason(verify({ headers: { "x-signature-ed25519": sig } }))).toBe("missing-header: missing X-Signature-Timestamp header");
    expect(reason(verify({ headers: { "x-signature-ed25519": [sig, sig], "x-signature-timestamp": TS } }))).toBe("malformed-header: X-Signature-Ed25519 was sent more than once");
    expect(reason(verify({ headers: { "x-signature-ed25519": sig, "x-signature-timestamp": [TS, TS] } }))).toBe("malformed-header: X-Signature-Timestamp was sent more than once");
    expect(reason(verify({ headers: { "x-signature-ed25519": sig.slice(2), "x-signature-timestamp": TS } }))).toBe("malformed-header: X-Signature-Ed25519 is not 128 hex digits");
    expect(reason(verify({ headers: { "x-signature-ed25519": sig, "x-signature-timestamp": "yesterday" } }))).toBe("malformed-header: X-Signature-Timestamp is not a Unix time in seconds");
    const ahead = String(NOW / 1000 + 400);
    expect(reason(verify({ headers: { "x-signature-ed25519": sign(ahead, BODY), "x-signature-timestamp": ahead } }))).toBe("future: timestamp is 400 s in the future (limit 300 s)");
    const edge = String(NOW / 1000 + 300);
    expect(reason(verify({ headers: { "x-signature-ed25519": sign(edge, BODY), "x-signature-timestamp": edge } }))).toBe("ok");
    // A bad key is reported first, whatever the headers.
    expect(reason(verify({ publicKeyHex: "not-a-key", headers: {} }))).toBe("bad-public-key: the configured Discord public key is not 64 hex digits");
    expect(reason(verifyDiscordRequest({ publicKeyHex: undefined as unknown as string, headers: {}, rawBody: BODY, now: NOW }))).toBe(
      "bad-public-key: the configured Discord public key is not 64 hex digits"
    );
    // A body that is neither text nor bytes is refused, not thrown.
    expect(reason(verifyDiscordRequest({ publicKeyHex: hex(keys.publicKey), headers: { "x-signature-ed25519": sig, "x-signature-timestamp": TS }, rawBody: 42 as unknown as string, now: NOW }))).toBe(
      "malformed-header: request could not be checked: RangeError"
    );
  });

  it("takes the key and the signature with surrounding spaces, but the timestamp only as whole seconds", () => {
    const sig = sign(TS, BODY);
    expect(kind(verify({ publicKeyHex: `  ${hex(keys.publicKey).toUpperCase()}\n` }))).toBe("ok");
    expect(kind(verify({ headers: { "x-signature-ed25519": ` ${sig} `, "x-signature-timestamp": TS } }))).toBe("ok");
    // Each variant is signed over exactly what it sends, so only the format check can refuse it.
    for (const timestamp of [`+${TS}`, `${TS}.5`, ` ${TS}`, `${TS}0`.slice(0, 13) + "x"]) {
      expect(kind(verify({ headers: { "x-signature-ed25519": sign(timestamp, BODY), "x-signature-timestamp": timestamp } })), timestamp).toBe("malformed-header");
    }
  });

  it("property: whatever is signed verifies, and flipping any byte of body, signature or timestamp fails", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.integer({ min: -300, max: 300 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("body", "signature", "timestamp"),
        (body, skew, position, mask, part) => {
          const timestamp = String(NOW / 1000 + skew);
          const signature = sign(timestamp, body);
          const ok = verifyDiscordRequest({ publicKeyHex: hex(keys.publicKey), headers: { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp }, rawBody: body, now: NOW });
          expect(Result.isSuccess(ok)).toBe(true);
          let headers: DiscordHeaders = { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp };
          let rawBody = body;
          if (part === "body") {
            if (body.length === 0) return;
            rawBody = body.slice();
            const i = position % body.length;
            rawBody[i] = (rawBody[i] ?? 0) ^ mask;
          } else if (part === "signature") {
            const bytes = Buffer.from(signature, "hex");
            const i = position % bytes.length;
            bytes[i] = (bytes[i] ?? 0) ^ mask;
            headers = { ...headers, "x-signature-ed25519": bytes.toString("hex") };
          } else {
            headers = { ...headers, "x-signature-timestamp": String(Number(timestamp) + 1 + (position % 50)) };
          }
          expect(Result.isFailure(verifyDiscordRequest({ publicKeyHex: hex(keys.publicKey), headers, rawBody, now: NOW }))).toBe(true);
        }
      ),
      { numRuns: 60 }
    );
  });

  it("property: agrees with tweetnacl's verify on arbitrary keys, signatures and messages", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 256 }),
        fc.boolean(),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (seed, body, genuine, noise) => {
          const pair = nacl.sign.keyPair.fromSeed(seed);
          const timestamp = TS;
          const message = new Uint8Array([...new TextEncoder().encode(timestamp), ...body]);
          const signature = genuine ? nacl.sign.detached(message, pair.secretKey) : noise;
          const key = genuine ? pair.publicKey : seed;
          const ours = verifyDiscordRequest({ publicKeyHex: hex(key), headers: { "x-signature-ed25519": hex(signature), "x-signature-timestamp": timestamp }, rawBody: body, now: NOW });
          expect(Result.isSuccess(ours)).toBe(nacl.sign.detached.verify(message, signature, key));
        }
      ),
      { numRuns: 40 }
    );
  });

  it("property: never throws on arbitrary headers, keys and bodies", () => {
    const value = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined), fc.stringMatching(/^[0-9a-f]{128}$/));
    const headers = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("x-signature-ed25519", "X-Signature-Timestamp", "x-signature-timestamp")), value);
    fc.assert(
      fc.property(headers, fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{64}$/)), fc.oneof(fc.string(), fc.uint8Array()), fc.double(), (h, key, body, now) => {
        const r = verifyDiscordRequest({ publicKeyHex: key, headers: h, rawBody: body, now });
        // Nothing here was signed with the key: every request is refused, with a reason.
        expect(Result.isFailure(r) && r.failure.reason).not.toBe("");
        expect(Result.isFailure(r)).toBe(true);
      }),
      { numRuns: 500 }
    );
  });
});
