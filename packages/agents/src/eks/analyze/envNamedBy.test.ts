import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { envNamedBy } from "./envNamedBy.js";

describe("envNamedBy: the variable a crash wants against the ones the pod sets", () => {
  // AlverezYari/phillips-homelab#285: the rollout renamed SECRET_KEY_BASE to RAILS_SECRET_KEY_BASE (from a Secret); Rails reads SECRET_KEY_BASE.
  const crash = "Missing `secret_key_base` for 'prod_k8s' environment (ArgumentError)";
  const env = [{ name: "RAILS_ENV", value: "prod_k8s" }, { name: "RAILS_SECRET_KEY_BASE", valueFrom: { secretKeyRef: { name: "exchange-rails-secrets", key: "secret_key_base" } } }];

  it("names the prefixed variable the pod sets instead", () => {
    expect(envNamedBy(crash, env)).toBe("the container sets RAILS_SECRET_KEY_BASE, not SECRET_KEY_BASE");
  });

  it("and the revision that still set the wanted name", () => {
    expect(envNamedBy(crash, env, { revision: 30, env: [{ name: "RAILS_ENV", value: "prod_k8s" }, { name: "SECRET_KEY_BASE", value: "x" }] })).toBe(
      "the container sets RAILS_SECRET_KEY_BASE, not SECRET_KEY_BASE (revision 30 set SECRET_KEY_BASE: the variable was renamed)"
    );
  });

  it("a prefix added by a chart (gsemet/kube-airflow#10: RABBIT_HOST became AF_RABBIT_HOST)", () => {
    expect(envNamedBy("RABBIT_HOST is not set", [{ name: "AF_RABBIT_HOST", value: "af-rabbitmq" }])).toBe("the container sets AF_RABBIT_HOST, not RABBIT_HOST");
  });

  it("says nothing when the wanted name is set, when the line reports nothing missing, or when no name is in it", () => {
    expect(envNamedBy(crash, [{ name: "SECRET_KEY_BASE", value: "x" }, { name: "RAILS_SECRET_KEY_BASE", value: "x" }])).toBeUndefined();
    expect(envNamedBy("Connected to secret_key_base store", env)).toBeUndefined();
    expect(envNamedBy("Cloud provider could not be initialized: hcloud/newCloud: Network default not found", [{ name: "HCLOUD_NETWORK", value: "default" }])).toBeUndefined();
  });

  it("never names a variable the pod does not set", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.array(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/), { maxLength: 5 }), (text, names) => {
        const hint = envNamedBy(`${text} is missing`, names.map((name) => ({ name })));
        if (hint !== undefined) expect(names.some((n) => hint.startsWith(`the container sets ${n},`))).toBe(true);
      })
    );
  });
});
