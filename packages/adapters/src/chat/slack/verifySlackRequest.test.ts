import fc from "fast-check";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { signSlackRequest, verifySlackRequest } from "./verifySlackRequest.js";

// Slack's documented example (https://api.slack.com/authentication/verifying-requests-from-slack).
const DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const DOC_TIMESTAMP = "1531420618";
const DOC_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

const SECRET = "3f9c0b7e1d2a4c6e8f0a1b2c3d4e5f60";
const NOW = 1_712_345_678_000;
const BODY = JSON.stringify({ type: "event_callback", event_id: "Ev1", event: { type: "app_mention", text: "<@U0SREBOT> help" } });

const signed = (body: string | Uint8Array, secret = SECRET, at = NOW) => {
  const ts = String(Math.floor(at / 1000));
  return { "x-slack-request-timestamp": ts, "x-slack-signature": signSlackRequest(secret, ts, body) };
};

const codeOf = (r: ReturnType<typeof verifySlackRequest>) => (Result.isFailure(r) ? r.failure.code : "ok");

describe("verifySlackRequest", () => {
  it("accepts Slack's documented example request", () => {
    const r = verifySlackRequest({
      signingSecret: DOC_SECRET,
      headers: { "X-Slack-Request-Timestamp": DOC_TIMESTAMP, "X-Slack-Signature": DOC_SIGNATURE },
      rawBody: DOC_BODY,
      now: Number(DOC_TIMESTAMP) * 1000 + 30_000
    });
    expect(r).toEqual(Result.succeed({ timestamp: Number(DOC_TIMESTAMP) * 1000 }));
  });

  it("accepts a valid signature over a Buffer body, with headers in any case", () => {
    const h = signed(BODY);
    const headers = { "X-SLACK-REQUEST-TIMESTAMP": h["x-slack-request-timestamp"], "X-Slack-Signature": h["x-slack-signature"] };
    expect(codeOf(verifySlackRequest({ signingSecret: SECRET, headers, rawBody: Buffer.from(BODY), now: NOW }))).toBe("ok");
  });

  it("rejects the wrong secret and a tampered body as bad_signature, without echoing the secret", () => {
    const r1 = verifySlackRequest({ signingSecret: "another-secret", headers: signed(BODY), rawBody: BODY, now: NOW });
    const r2 = verifySlackRequest({ signingSecret: SECRET, headers: signed(BODY), rawBody: BODY.replace("help", "hELP"), now: NOW });
    for (const r of [r1, r2]) {
      expect(codeOf(r)).toBe("bad_signature");
      if (Result.isFailure(r)) {
        expect(r.failure.message).not.toContain(SECRET);
        expect(r.failure.message).not.toContain("another-secret");
      }
    }
  });

  it("accepts timestamps up to five minutes away and rejects stale and future ones beyond", () => {
    const at = (offset: number) => verifySlackRequest({ signingSecret: SECRET, headers: signed(BODY, SECRET, NOW + offset), rawBody: BODY, now: NOW });
    expect(codeOf(at(-300_000))).toBe("ok");
    expect(codeOf(at(300_000))).toBe("ok");
    expect(codeOf(at(-301_000))).toBe("stale_timestamp");
    expect(codeOf(at(301_000))).toBe("stale_timestamp");
    const old = at(-3_600_000);
    expect(Result.isFailure(old) && old.failure.reason).toBe("X-Slack-Request-Timestamp is 3600 s behind this server's clock (at most 300 s allowed)");
    const future = at(600_000);
    expect(Result.isFailure(future) && future.failure.reason).toMatch(/600 s ahead of/);
  });

  it("says which header is missing or garbled", () => {
    const h = signed(BODY);
    const verify = (headers: Record<string, string | Array<string>>) => verifySlackRequest({ signingSecret: SECRET, headers, rawBody: BODY, now: NOW });
    expect(codeOf(verify({ "x-slack-signature": h["x-slack-signature"] }))).toBe("missing_timestamp");
    expect(codeOf(verify({ "x-slack-request-timestamp": h["x-slack-request-timestamp"] }))).toBe("missing_signature");
    expect(codeOf(verify({ ...h, "x-slack-request-timestamp": "12abc" }))).toBe("malformed_timestamp");
    expect(codeOf(verify({ ...h, "x-slack-signature": "v1=" + h["x-slack-signature"].slice(3) }))).toBe("malformed_signature");
    expect(codeOf(verify({ ...h, "x-slack-signature": h["x-slack-signature"].slice(0, -2) }))).toBe("malformed_signature");
    expect(codeOf(verify({ ...h, "x-slack-signature": [h["x-slack-signature"], "v0=" + "0".repeat(64)] }))).toBe("malformed_signature");
    expect(codeOf(verify({ ...h, "x-slack-signature": [h["x-slack-signature"], h["x-slack-signature"]] }))).toBe("ok");
    expect(codeOf(verifySlackRequest({ signingSecret: "", headers: h, rawBody: BODY, now: NOW }))).toBe("no_signing_secret");
    const garbled = verify({ ...h, "x-slack-request-timestamp": "x".repeat(5000) });
    expect(Result.isFailure(garbled) && garbled.failure.reason.length).toBeLessThan(200);
  });

  it("names the header in every refusal and quotes a bad value, cut after 40 characters", () => {
    const h = signed(BODY);
    const reasonOf = (headers: Record<string, string | Array<string>>, signingSecret = SECRET) => {
      const r = verifySlackRequest({ signingSecret, headers, rawBody: BODY, now: NOW });
      return Result.isFailure(r) ? r.failure.reason : "ok";
    };
    expect(reasonOf(h, "")).toBe("no Slack signing secret is configured");
    expect(reasonOf({ "x-slack-signature": h["x-slack-signature"] })).toBe("missing X-Slack-Request-Timestamp header");
    expect(reasonOf({ ...h, "x-slack-request-timestamp": ["1", "2"] })).toBe("X-Slack-Request-Timestamp was sent more than once");
    expect(reasonOf({ ...h, "x-slack-request-timestamp": "12abc" })).toBe('X-Slack-Request-Timestamp "12abc" is not a whole number of seconds');
    expect(reasonOf({ "x-slack-request-timestamp": h["x-slack-request-timestamp"] })).toBe("missing X-Slack-Signature header");
    expect(reasonOf({ ...h, "x-slack-signature": [h["x-slack-signature"], "v0=" + "0".repeat(64)] })).toBe("X-Slack-Signature was sent more than once");
    const forty = "v1=" + "a".repeat(37);
    expect(reasonOf({ ...h, "x-slack-signature": forty })).toBe(`X-Slack-Signature "${forty}" is not "v0=" followed by 64 hex digits`);
    expect(reasonOf({ ...h, "x-slack-signature": forty + "bc" })).toBe(`X-Slack-Signature "${forty}…" is not "v0=" followed by 64 hex digits`);
    expect(reasonOf({ ...h, "x-slack-signature": "v0=" + "0".repeat(64) })).toBe(
      "X-Slack-Signature does not match the body and timestamp (wrong signing secret or altered body)"
    );
  });

  it("takes the timestamp and the signature only whole: no sign, fraction, prefix or suffix", () => {
    const ts = String(Math.floor(NOW / 1000));
    // Each variant is signed over exactly what it sends, so only the format check can refuse it.
    for (const variant of [`+${ts}`, `${ts}.0`, `-${ts}`, `0x${Number(ts).toString(16)}`]) {
      const headers = { "x-slack-request-timestamp": variant, "x-slack-signature": signSlackRequest(SECRET, variant, BODY) };
      expect(codeOf(verifySlackRequest({ signingSecret: SECRET, headers, rawBody: BODY, now: NOW })), variant).toBe("malformed_timestamp");
    }
    const h = signed(BODY);
    for (const signature of [`x${h["x-slack-signature"]}`, `${h["x-slack-signature"]}0`]) {
      expect(codeOf(verifySlackRequest({ signingSecret: SECRET, headers: { ...h, "x-slack-signature": signature }, rawBody: BODY, now: NOW })), signature).toBe(
        "malformed_signature"
      );
    }
  });

  describe("properties", () => {
    const secret = fc.string({ minLength: 1, maxLength: 64 });
    const body = fc.uint8Array({ maxLength: 2048 });

    it("whatever the body and secret, a request signed now verifies", () => {
      fc.assert(
        fc.property(secret, body, fc.integer({ min: -300_000, max: 300_000 }), (s, b, skew) => {
          expect(codeOf(verifySlackRequest({ signingSecret: s, headers: signed(b, s, NOW + skew), rawBody: b, now: NOW }))).toBe("ok");
        })
      );
    });

    it("changing any single byte of the body fails verification", () => {
      fc.assert(
        fc.property(secret, body.filter((b) => b.length > 0), fc.nat(), fc.integer({ min: 1, max: 255 }), (s, b, at, delta) => {
          const headers = signed(b, s);
          const tampered = Uint8Array.from(b);
          const i = at % b.length;
          tampered[i] = ((tampered[i] ?? 0) + delta) % 256;
          expect(codeOf(verifySlackRequest({ signingSecret: s, headers, rawBody: tampered, now: NOW }))).toBe("bad_signature");
        })
      );
    });

    it("changing any single hex digit of the signature or the timestamp fails verification", () => {
      fc.assert(
        fc.property(secret, body, fc.nat(), fc.boolean(), (s, b, at, inSignature) => {
          const headers = signed(b, s);
          const key = inSignature ? "x-slack-signature" : "x-slack-request-timestamp";
          const value = headers[key];
          const start = inSignature ? 3 : 0;
          const i = start + (at % (value.length - start));
          const digits = inSignature ? "0123456789abcdef" : "0123456789";
          const replacement = digits[(digits.indexOf(value[i] ?? "0") + 1 + (at % (digits.length - 1))) % digits.length] ?? "0";
          const changed = { ...headers, [key]: value.slice(0, i) + replacement + value.slice(i + 1) };
          expect(codeOf(verifySlackRequest({ signingSecret: s, headers: changed, rawBody: b, now: NOW }))).not.toBe("ok");
        })
      );
    });

    it("never throws on arbitrary header values, secrets and bodies", () => {
      const headerValue = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));
      fc.assert(
        fc.property(
          fc.string(),
          headerValue,
          headerValue,
          fc.oneof(fc.string(), fc.uint8Array()),
          fc.oneof(fc.integer(), fc.double()),
          (s, ts, sig, b, now) => {
            const r = verifySlackRequest({ signingSecret: s, headers: { "x-slack-request-timestamp": ts, "x-slack-signature": sig }, rawBody: b, now });
            // Random headers never carry a valid signature: every one is refused, with a reason.
            expect(Result.isFailure(r) && r.failure.reason.length).toBeGreaterThan(0);
          }
        )
      );
    });
  });
});
