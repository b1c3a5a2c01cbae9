// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- SST generates these global types on first run
/// <reference path="./.sst/platform/config.d.ts" />
/**
 * AWS deployment with SST (https://sst.dev). Minimal until the deployment issue lands: it names
 * the app and its home region; the Lambda intake, one Bedrock AgentCore runtime per agent,
 * DynamoDB tables and the trace bucket are added there. Run with `npx sst deploy --stage <name>`.
 */
export default $config({
  app(input) {
    return {
      name: "sre-on-call",
      removal: input?.stage === "production" ? "retain" : "remove",
      home: "aws",
      providers: { aws: { region: process.env.AWS_REGION ?? "us-east-1" } }
    };
  },
  async run() {
    return {};
  }
});
