import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, type MotoServer, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { Result } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFromSsm, loadConfigSource } from "./loadConfigFromSsm.js";

const available = motoAvailable();
if (!available) console.warn(`[skipped] ${MOTO_SKIP_REASON}`);

const CONFIG = "environment: prod\ntelemetry:\n  log_level: debug\n  service_name: sre-prod\n";

describe("loadConfigSource without SSM", () => {
  it("falls back to the config file when SRE_CONFIG_SSM_PARAMETER is unset or blank", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ssm-config-"));
    writeFileSync(join(dir, "config.yaml"), CONFIG);
    for (const env of [{}, { SRE_CONFIG_SSM_PARAMETER: "  " }]) {
      const loaded = await loadConfigSource(env, { cwd: dir });
      expect(Result.isSuccess(loaded) && loaded.success.telemetry.service_name).toBe("sre-prod");
    }
  });

  it("refuses an SSM parameter together with a config file or inline YAML", async () => {
    const loaded = await loadConfigSource({ SRE_CONFIG_SSM_PARAMETER: "/sre/config", SRE_ON_CALL_CONFIG_YAML: CONFIG });
    expect(Result.isFailure(loaded) && loaded.failure.problems).toEqual([
      "SRE_CONFIG_SSM_PARAMETER and SRE_ON_CALL_CONFIG_YAML are both set; keep one source of config.yaml."
    ]);
  });
});

describe.skipIf(!available)(`loadConfigFromSsm against moto_server${available ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  let moto: MotoServer | undefined;
  let ssm: SSMClient;
  const put = (Name: string, Value: string, Type: "String" | "SecureString" = "SecureString") =>
    ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));

  beforeAll(async () => {
    moto = await startMotoServer();
    ssm = new SSMClient(motoClientConfig(moto.endpoint));
  });
  afterAll(async () => {
    ssm?.destroy();
    await moto?.stop();
  });

  it("reads and decrypts a SecureString parameter and validates it like a file", async () => {
    await put("/sre-on-call/prod/config", CONFIG);
    const loaded = await loadConfigSource({ SRE_CONFIG_SSM_PARAMETER: "/sre-on-call/prod/config" }, { ssm });
    expect(Result.isSuccess(loaded)).toBe(true);
    if (Result.isSuccess(loaded)) {
      expect(loaded.success.environment).toBe("prod");
      expect(loaded.success.telemetry.log_level).toBe("debug");
      expect(loaded.success.telemetry.service_name).toBe("sre-prod");
    }
  });

  it("builds its own client from AWS_REGION and AWS_ENDPOINT_URL_SSM when none is given", async () => {
    await put("plain-config", CONFIG, "String");
    const previous = { id: process.env["AWS_ACCESS_KEY_ID"], secret: process.env["AWS_SECRET_ACCESS_KEY"] };
    process.env["AWS_ACCESS_KEY_ID"] = "testing";
    process.env["AWS_SECRET_ACCESS_KEY"] = "testing";
    try {
      const loaded = await loadConfigSource({ SRE_CONFIG_SSM_PARAMETER: "plain-config", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_SSM: moto!.endpoint });
      expect(Result.isSuccess(loaded)).toBe(true);
    } finally {
      for (const [k, v] of [["AWS_ACCESS_KEY_ID", previous.id], ["AWS_SECRET_ACCESS_KEY", previous.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("names the parameter and the key of an invalid config, and redacts secrets from the problems", async () => {
    await put("/sre-on-call/bad", "telemetry:\n  log_level: xoxb-1234567890-abcdefghijkl\ninvestigaton: {}\n");
    const loaded = await loadConfigFromSsm("/sre-on-call/bad", { ssm });
    expect(Result.isFailure(loaded)).toBe(true);
    if (Result.isFailure(loaded)) {
      expect(loaded.failure.message).toMatch(/^SSM parameter "\/sre-on-call\/bad" is invalid:/);
      expect(loaded.failure.problems.some((p) => p.startsWith("telemetry.log_level: "))).toBe(true);
      expect(loaded.failure.problems.some((p) => p.startsWith("investigaton: unknown key"))).toBe(true);
      expect(loaded.failure.message).not.toContain("xoxb-1234567890");
    }
  });

  it("a missing, empty or malformed parameter is a ConfigError naming it", async () => {
    const missing = await loadConfigFromSsm("/sre-on-call/missing", { ssm });
    expect(Result.isFailure(missing) && missing.failure.message).toBe(
      'SSM parameter "/sre-on-call/missing" is invalid:\n  - SRE_CONFIG_SSM_PARAMETER: the parameter does not exist (check the name and the function\'s AWS_REGION)'
    );
    await put("/sre-on-call/blank", " ", "String");
    const blank = await loadConfigFromSsm("/sre-on-call/blank", { ssm });
    expect(Result.isFailure(blank) && blank.failure.problems).toEqual(["the parameter is empty; store the contents of config.yaml in it"]);
    await put("/sre-on-call/yaml", "agents: [unclosed\n");
    const yaml = await loadConfigFromSsm("/sre-on-call/yaml", { ssm });
    expect(Result.isFailure(yaml) && yaml.failure.problems[0]).toMatch(/^YAML: /);
    const badName = await loadConfigFromSsm("not a name!", { ssm });
    expect(Result.isFailure(badName) && badName.failure.problems[0]).toMatch(/^SRE_CONFIG_SSM_PARAMETER: not a parameter name or ARN/);
  });

  it("an unreachable SSM endpoint is a ConfigError, not a hang", async () => {
    const dead = new SSMClient({ ...motoClientConfig("http://127.0.0.1:9"), maxAttempts: 1 });
    try {
      const loaded = await loadConfigFromSsm("/sre-on-call/prod/config", { ssm: dead, timeoutMs: 2_000 });
      expect(Result.isFailure(loaded) && loaded.failure.problems[0]).toMatch(/^SRE_CONFIG_SSM_PARAMETER: /);
    } finally {
      dead.destroy();
    }
  });
});
