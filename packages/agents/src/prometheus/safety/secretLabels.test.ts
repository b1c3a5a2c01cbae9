import { REDACTED } from "@sre-on-call/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { looksSecretLabel, redactLabels, redactLabelValues } from "./secretLabels.js";

/** Secrets as they turn up in label values, each with the part that must never survive. */
const secretValue = fc.oneof(
  fc.stringMatching(/^xoxb-[0-9]{10}-[A-Za-z0-9]{16}$/),
  fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/),
  fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
  fc.stringMatching(/^[A-Za-z0-9]{8,20}$/).map((p) => `postgres://app:${p}@db.internal:5432/orders`),
  fc.stringMatching(/^[A-Za-z0-9._-]{16,40}$/).map((t) => `Bearer ${t}`)
);
const secretName = fc.tuple(fc.constantFrom("", "db_", "x_", "client_"), fc.constantFrom("password", "pass", "pwd", "secret", "token", "api_key", "apikey", "access_key", "private_key", "auth", "authorization", "credential", "cookie", "session_id", "jwt"), fc.constantFrom("", "_value")).map((p) => p.join(""));

describe("secret labels", () => {
  it("tells secret-looking label names from ordinary ones", () => {
    for (const name of ["password", "db_password", "DB_PASSWD", "client_secret", "x_token", "api_key", "ApiKey", "authorization", "auth", "x_auth_header", "session_id", "jwt", "cookie", "pwd"]) expect(looksSecretLabel(name), name).toBe(true);
    for (const name of ["job", "instance", "namespace", "pod", "key", "authority", "author", "le", "code", "persistentvolumeclaim", "compass", "bypass_cache"]) expect(looksSecretLabel(name), name).toBe(false);
  });

  it("keeps ordinary labels as they are", () => {
    const labels = { __name__: "kube_pod_info", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", node: "ip-10-0-3-77", instance: "10.0.3.77:9100", authority: "api.example.com", url: "https://grafana.example.com/d/x?orgId=1", key: "node.kubernetes.io/unreachable" };
    expect(redactLabels(labels)).toEqual(labels);
  });

  it("a secret in a label value never survives, under any label name (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("dsn", "job", "url", "value", "header"), secretValue, (name, value) => {
        const out = redactLabels({ job: "api", [name]: value });
        expect(out[name]).toBe(REDACTED);
        expect(JSON.stringify(out)).not.toContain(value);
        expect(redactLabelValues(name, ["ok", value])).toEqual(["ok", REDACTED]);
      })
    );
  });

  it("any value under a secret-looking label name is redacted (property)", () => {
    fc.assert(
      fc.property(secretName, fc.string({ minLength: 1, maxLength: 40 }), (name, value) => {
        expect(redactLabels({ [name]: value, job: "api" })).toEqual({ [name]: REDACTED, job: "api" });
        expect(redactLabelValues(name, [value])).toEqual([REDACTED]);
      })
    );
  });

  it("a label name that is itself a credential is replaced, with its value", () => {
    expect(redactLabels({ ghp_abcdefghijklmnopqrstuvwxyz0123456789: "1", job: "api" })).toEqual({ [REDACTED]: REDACTED, job: "api" });
  });
});
