import { describe, expect, it } from "vitest";
import { credentialSource } from "./credentialSource.js";

/* Where a rejected login's password comes from, as the container spec says it (sources in the test names). */

describe("credentialSource", () => {
  it("names the env var and the Secret key a MySQL client's password comes from (devantler-tech/platform#1635)", () => {
    const spec = {
      env: [
        { name: "FLEET_MYSQL_USERNAME", value: "fleet" },
        { name: "FLEET_REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis", key: "redis-password" } } },
        { name: "FLEET_MYSQL_PASSWORD", valueFrom: { secretKeyRef: { name: "mysql", key: "mysql-password" } } }
      ]
    };
    expect(credentialSource(spec, "mysql.access-denied", "fleet")).toBe("the password it sends comes from env FLEET_MYSQL_PASSWORD (Secret mysql, key mysql-password)");
  });

  it("names the Secret of envFrom when no env var carries it (thingsboard/thingsboard#4100: SPRING_DATASOURCE_PASSWORD in Secret tb-node-secrets)", () => {
    const spec = { envFrom: [{ configMapRef: { name: "tb-node-cache-config" } }, { secretRef: { name: "tb-node-secrets" } }] };
    expect(credentialSource(spec, "postgresql.password-auth-failed", "<MYUSER>")).toBe("its env, the password included, comes from Secret tb-node-secrets (envFrom)");
  });

  it("says nothing when the spec names no credential, and never takes an unrelated secret for the password", () => {
    expect(credentialSource({ env: [{ name: "RAILS_ENV", value: "production" }] }, "mysql.access-denied")).toBeUndefined();
    expect(credentialSource({ env: [{ name: "SECRET_KEY_BASE", valueFrom: { secretKeyRef: { name: "rails", key: "base" } } }] }, "postgresql.password-auth-failed")).toBeUndefined();
    expect(credentialSource(undefined, "mysql.access-denied")).toBeUndefined();
  });
});
