/**
 * AWS deployment with SST v4 (https://sst.dev): `npx sst@4 deploy --stage prod`. The resources are
 * declared by `deployStack` in packages/deploy/src/infra from config.yaml (see docs/deploy.md);
 * this file only hands it SST's globals. Settings config.yaml has no keys for come from the
 * environment: SRE_VPC_SUBNET_IDS / SRE_VPC_SECURITY_GROUP_IDS (agents in VPC mode),
 * SRE_IMAGE_TAG (the agents' image, from scripts/build-and-push.sh; without it no AgentCore runtime is
 * declared yet), SRE_ALARM_TOPIC_ARN (alarm notifications).
 */
import type { InfraProvider } from "./packages/deploy/src/infra/InfraProvider.js";
import type { SstApp, SstAwsGlobal, SstConfigFn } from "./packages/deploy/src/infra/SstGlobals.js";

// SST defines these globals when it evaluates this file; their types are declared locally because
// SST's generated ones need `sst install`.
declare const $config: SstConfigFn;
declare const $app: SstApp;
declare const sst: InfraProvider["sst"];
declare const aws: SstAwsGlobal;
declare const $interpolate: InfraProvider["interpolate"];
declare const $jsonStringify: InfraProvider["jsonStringify"];

export default $config({
  app(input) {
    const stage = input?.stage ?? "";
    const production = stage === "prod" || stage === "production";
    return {
      name: "sre-on-call",
      removal: production ? "retain" : "remove",
      protect: production,
      home: "aws",
      providers: { aws: { region: process.env["AWS_REGION"] ?? "us-east-1" } }
    };
  },
  // SST evaluates this file before installing anything: modules load inside run().
  async run() {
    const { readFile } = await import("node:fs/promises");
    const { resolve } = await import("node:path");
    const { Result } = await import("effect");
    const { parseConfigText } = await import("./packages/deploy/src/config/loadConfig.js");
    const { deploySettingsFromEnv, deployStack } = await import("./packages/deploy/src/infra/index.js");

    const configPath = resolve(process.env["SRE_ON_CALL_CONFIG"] ?? "config.yaml");
    const configText = await readFile(configPath, "utf8");
    const config = parseConfigText(configText, configPath);
    if (Result.isFailure(config)) throw new Error(config.failure.message);
    const settings = deploySettingsFromEnv(process.env);
    if (Result.isFailure(settings)) throw new Error(settings.failure.message);

    const stack = deployStack(
      {
        sst,
        aws,
        interpolate: $interpolate,
        jsonStringify: $jsonStringify,
        accountId: aws.getCallerIdentityOutput({}).accountId,
        region: aws.getRegionOutput({}).region
      },
      { config: config.success, configText, settings: settings.success },
      $app.stage
    );
    if (Result.isFailure(stack)) throw new Error(stack.failure.message);
    const { agents, ...outputs } = stack.success;
    return {
      ...outputs,
      ...Object.fromEntries(
        Object.entries(agents).flatMap(([id, agent]) =>
          agent === undefined ? [] : [[`${id}Repository`, agent.repositoryUrl], ...(agent.runtimeArn !== undefined ? [[`${id}RuntimeArn`, agent.runtimeArn]] : [])]
        )
      )
    };
  }
});
