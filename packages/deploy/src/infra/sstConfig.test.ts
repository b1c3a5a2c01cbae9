import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeRecordingProvider, TEST_ACCOUNT, TEST_REGION } from "./testing/recordingProvider.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SST_CONFIG = join(ROOT, "sst.config.ts");

interface SstDefinition {
  readonly app: (input: { readonly stage?: string } | undefined) => { readonly name: string; readonly removal: string; readonly protect: boolean };
  readonly run: () => Promise<Record<string, unknown>>;
}

const GLOBALS = ["$config", "$app", "sst", "aws", "$interpolate", "$jsonStringify"] as const;
const scratch = mkdtempSync(join(tmpdir(), "sst-config-"));
afterAll(() => {
  delete process.env["SRE_IMAGE_TAG"];
  for (const name of GLOBALS) Reflect.deleteProperty(globalThis, name);
  rmSync(scratch, { recursive: true, force: true });
});

describe("sst.config.ts", () => {
  it("type-checks against the declared SST globals and the infra constructs", () => {
    // The root tsconfig has no project for this file; check it with the repository's compiler options.
    const tsconfig = join(scratch, "tsconfig.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(ROOT, "tsconfig.base.json"),
        compilerOptions: { noEmit: true, composite: false, incremental: false, declaration: false, declarationMap: false, types: ["node"], typeRoots: [join(ROOT, "node_modules/@types")] },
        files: [SST_CONFIG]
      })
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", tsconfig], { encoding: "utf8", timeout: 280_000 });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
    expect(tsc.status).toBe(0);
  }, 300_000);

  it("declares the stage from config.yaml through SST's globals and returns the stack outputs", async () => {
    const rec = makeRecordingProvider();
    const globals: Record<(typeof GLOBALS)[number], unknown> = {
      $config: (definition: SstDefinition) => definition,
      $app: { name: "sre-on-call", stage: "prod" },
      sst: rec.provider.sst,
      aws: { ...rec.provider.aws, getCallerIdentityOutput: () => ({ accountId: TEST_ACCOUNT }), getRegionOutput: () => ({ region: TEST_REGION }) },
      $interpolate: rec.provider.interpolate,
      $jsonStringify: rec.provider.jsonStringify
    };
    Object.assign(globalThis, globals);
    process.env["SRE_IMAGE_TAG"] = "abc1234";
    const definition = ((await import(pathToFileURL(SST_CONFIG).href)) as { default: SstDefinition }).default;

    expect(definition.app({ stage: "prod" })).toMatchObject({ name: "sre-on-call", removal: "retain", protect: true });
    expect(definition.app({ stage: "dev" })).toMatchObject({ removal: "remove", protect: false });

    const outputs = await definition.run();
    expect(outputs["slackEventsUrl"]).toBe(`https://sre-on-call-prod-intake.lambda-url.${TEST_REGION}.on.aws/slack/events`);
    expect(outputs["masterRuntimeArn"]).toMatch(/^arn:aws:bedrock-agentcore:.*runtime\/sre_on_call_prod_master-/);
    expect(outputs["masterRepository"]).toBe(`${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/sre-on-call-prod/master`);
    expect(rec.ofType("aws.bedrock.AgentcoreAgentRuntime").length).toBeGreaterThan(1);
    expect(rec.byName("MasterRuntime").args["agentRuntimeArtifact"]).toEqual({ containerConfiguration: { containerUri: `${String(outputs["masterRepository"])}:abc1234` } });
    expect(rec.byName("ConfigParameter").args["value"]).toContain("agents:");
  });
});
