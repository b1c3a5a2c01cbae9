import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { Result, Schema } from "effect";

/** Why a Discord interaction request was refused. `reason` is safe to log and to return. */
export class DiscordVerificationError extends Schema.TaggedError<DiscordVerificationError>()("DiscordVerificationError", {
  kind: Schema.Literals(["missing-header", "malformed-header", "stale", "future", "bad-signature", "bad-public-key"]),
  reason: Schema.String
}) {
  override get message(): string {
    return `Discord request rejected: ${this.reason}`;
  }
}

export type DiscordHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

export interface VerifyDiscordRequestInput {
  /** The application's public key from the developer portal, 64 hex digits. */
  readonly publicKeyHex: string;
  /** Request headers in any letter case (Node's lower-cased ones, a Lambda event's, or as sent). */
  readonly headers: DiscordHeaders;
  /** The body exactly as received; a string is taken as its UTF-8 bytes. */
  readonly rawBody: string | Uint8Array;
  /** Epoch milliseconds. Default `Date.now()`. */
  readonly now?: number;
  /** How far the signed timestamp may be from `now`, either way. Default 300. */
  readonly maxSkewSeconds?: number;
}

export interface VerifiedDiscordRequest {
  /** The signed `X-Signature-Timestamp`, epoch seconds. */
  readonly timestamp: number;
}

const HEX = /^[0-9a-fA-F]*$/;
const TIMESTAMP = /^\d{1,12}$/;
const encoder = new TextEncoder();

const header = (headers: DiscordHeaders, name: string): string | ReadonlyArray<string> | undefined => {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
};

const hexBytes = (hex: string, length: number): Uint8Array | undefined => {
  if (hex.length !== length * 2 || !HEX.test(hex)) return undefined;
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
};

const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** The last key parsed: a deployment verifies with one key, and parsing it costs more than a verify. */
let cachedKey: { readonly hex: string; readonly key: KeyObject } | undefined;
const publicKey = (bytes: Uint8Array, keyHex: string): KeyObject => {
  if (cachedKey?.hex !== keyHex) {
    cachedKey = { hex: keyHex, key: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(bytes).toString("base64url") }, format: "jwk" }) };
  }
  return cachedKey.key;
};

const fail = (kind: DiscordVerificationError["kind"], reason: string) => Result.fail(new DiscordVerificationError({ kind, reason }));

/**
 * Checks a Discord interaction request: an Ed25519 signature (`X-Signature-Ed25519`) by the
 * application's key over `X-Signature-Timestamp` followed by the raw body, with the timestamp
 * no more than `maxSkewSeconds` from now so a captured request cannot be replayed later.
 * Never throws; every refusal says why without echoing the signature or the key.
 *
 * Uses Node's native Ed25519 (OpenSSL), about 0.13 ms a check here against 11 ms for tweetnacl's
 * pure-JS one, which would hold the event loop for every interaction; the tests check both agree.
 */
export const verifyDiscordRequest = (input: VerifyDiscordRequestInput): Result.Result<VerifiedDiscordRequest, DiscordVerificationError> => {
  try {
    const keyHex = typeof input.publicKeyHex === "string" ? input.publicKeyHex.trim().toLowerCase() : "";
    const key = hexBytes(keyHex, PUBLIC_KEY_BYTES);
    if (key === undefined) return fail("bad-public-key", "the configured Discord public key is not 64 hex digits");
    const signatureHeader = header(input.headers, "x-signature-ed25519");
    const timestampHeader = header(input.headers, "x-signature-timestamp");
    if (signatureHeader === undefined) return fail("missing-header", "missing X-Signature-Ed25519 header");
    if (timestampHeader === undefined) return fail("missing-header", "missing X-Signature-Timestamp header");
    if (typeof signatureHeader !== "string") return fail("malformed-header", "X-Signature-Ed25519 was sent more than once");
    if (typeof timestampHeader !== "string") return fail("malformed-header", "X-Signature-Timestamp was sent more than once");
    const signature = hexBytes(signatureHeader.trim(), SIGNATURE_BYTES);
    if (signature === undefined) return fail("malformed-header", "X-Signature-Ed25519 is not 128 hex digits");
    if (!TIMESTAMP.test(timestampHeader)) return fail("malformed-header", "X-Signature-Timestamp is not a Unix time in seconds");
    const timestamp = Number(timestampHeader);
    const nowSeconds = (input.now ?? Date.now()) / 1000;
    const skew = input.maxSkewSeconds ?? 300;
    if (nowSeconds - timestamp > skew) return fail("stale", `timestamp is ${Math.round(nowSeconds - timestamp)} s old (limit ${skew} s)`);
    if (timestamp - nowSeconds > skew) return fail("future", `timestamp is ${Math.round(timestamp - nowSeconds)} s in the future (limit ${skew} s)`);
    const body = typeof input.rawBody === "string" ? encoder.encode(input.rawBody) : input.rawBody;
    const signed = new Uint8Array(timestampHeader.length + body.length);
    signed.set(encoder.encode(timestampHeader), 0);
    signed.set(body, timestampHeader.length);
    let valid: boolean;
    try {
      valid = verify(null, signed, publicKey(key, keyHex), signature);
    } catch {
      return fail("bad-public-key", "the configured Discord public key is not a valid Ed25519 key");
    }
    return valid ? Result.succeed({ timestamp }) : fail("bad-signature", "the signature does not match the body and timestamp");
  } catch (cause) {
    return fail("malformed-header", `request could not be checked: ${cause instanceof Error ? cause.name : typeof cause}`);
  }
};
