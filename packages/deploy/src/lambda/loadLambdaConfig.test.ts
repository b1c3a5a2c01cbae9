import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { loadLambdaConfig } from "./loadLambdaConfig.js";

const dir = () => mkdtempSync(join(tmpdir(), "sre-lambda-config-"));

describe("loadLambdaConfig", () => {
  it("reads inline YAML from SRE_ON_CALL_CONFIG_YAML", async () => {
    const r = await loadLambdaConfig({ SRE_ON_CALL_CONFIG_YAML: "intake: { max_body_bytes: 2048 }\nclassifier: { reaction_trigger: rotating_light }" }, dir());
    expect(Result.isSuccess(r) && [r.success.intake.max_body_bytes, r.success.classifier.reaction_trigger]).toEqual([2048, "rotating_light"]);
  });

  it("reads the file SRE_ON_CALL_CONFIG names, relative to the code directory, and config.yaml by default", async () => {
    const root = dir();
    writeFileSync(join(root, "prod.yaml"), "environment: prod\n");
    writeFileSync(join(root, "config.yaml"), "environment: default\n");
    const named = await loadLambdaConfig({ SRE_ON_CALL_CONFIG: "prod.yaml" }, root);
    expect(Result.isSuccess(named) && named.success.environment).toBe("prod");
    const fallback = await loadLambdaConfig({}, root);
    expect(Result.isSuccess(fallback) && fallback.success.environment).toBe("default");
  });

  it("names the problem: both set, a missing file, invalid YAML, an invalid value", async () => {
    const both = await loadLambdaConfig({ SRE_ON_CALL_CONFIG: "a.yaml", SRE_ON_CALL_CONFIG_YAML: "environment: x" }, dir());
    expect(Result.isFailure(both) && both.failure.message).toMatch(/both set; keep one/);
    const missing = await loadLambdaConfig({}, dir());
    expect(Result.isFailure(missing) && missing.failure.message).toMatch(/config\.yaml is invalid:\n {2}- file not found/);
    const yaml = await loadLambdaConfig({ SRE_ON_CALL_CONFIG_YAML: "intake: [unclosed" }, dir());
    expect(Result.isFailure(yaml) && yaml.failure.message).toMatch(/^SRE_ON_CALL_CONFIG_YAML is invalid:\n {2}- YAML:/);
    const value = await loadLambdaConfig({ SRE_ON_CALL_CONFIG_YAML: "intake: { max_body_bytes: -1 }" }, dir());
    expect(Result.isFailure(value) && value.failure.message).toMatch(/intake\.max_body_bytes/);
  });
});
