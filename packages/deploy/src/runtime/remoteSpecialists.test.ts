import { Result } from "effect";
import { describe, expect, it } from "vitest";
import type { AppConfig } from "../config/AppConfig.js";
import { parseConfigText } from "../config/loadConfig.js";
import { buildSpecialists } from "./buildSpecialists.js";
import { StartupError } from "./buildChats.js";
import { agentEnvPrefix, remoteEndpointFor, remoteSpecialistsFromConfig } from "./remoteSpecialists.js";

const config = (yaml: string): AppConfig => {
  const r = parseConfigText(yaml, "test");
  if (Result.isFailure(r)) throw new Error(r.failure.message);
  return r.success;
};
const ARN = "arn:aws:bedrock-agentcore:eu-west-1:123456789012:runtime/sre_eks-Ab12Cd34Ef";

describe("remote specialist endpoints", () => {
  it("names environment variables after the agent id", () => {
    expect(agentEnvPrefix("cloudwatch-logs")).toBe("CLOUDWATCH_LOGS");
    expect(agentEnvPrefix("eks")).toBe("EKS");
  });

  it("reads config.yaml first, then the environment; an ARN wins over a URL", () => {
    const c = config(`agents:\n  eks: { url: "http://127.0.0.1:9001/" }\n`);
    expect(remoteEndpointFor("eks", c, { EKS_AGENT_URL: "http://127.0.0.1:9999/" })).toMatchObject({ kind: "url", url: "http://127.0.0.1:9001/", from: "agents.eks.url" });
    expect(remoteEndpointFor("cloudwatch-logs", c, { CLOUDWATCH_LOGS_AGENT_URL: "http://127.0.0.1:9002/" })).toMatchObject({ kind: "url", url: "http://127.0.0.1:9002/", from: "CLOUDWATCH_LOGS_AGENT_URL" });
    expect(remoteEndpointFor("eks", c, { EKS_AGENT_RUNTIME_ARN: ARN, EKS_AGENT_QUALIFIER: "prod", AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: "http://127.0.0.1:4566" })).toEqual({
      kind: "agentcore",
      runtimeArn: ARN,
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:4566",
      qualifier: "prod",
      from: "EKS_AGENT_RUNTIME_ARN"
    });
    expect(remoteEndpointFor("prometheus", c, { EKS_AGENT_URL: "http://x/" })).toBeUndefined();
    expect(remoteEndpointFor("prometheus", c, { PROMETHEUS_AGENT_URL: "" })).toBeUndefined();
  });

  it("rejects a bad URL or ARN at startup, naming the key and never echoing the URL", () => {
    const c = config("agents: {}\n");
    expect(() => remoteEndpointFor("eks", c, { EKS_AGENT_URL: "ftp://user:hunter2@host/" })).toThrow(StartupError);
    expect(() => remoteEndpointFor("eks", c, { EKS_AGENT_URL: "ftp://user:hunter2@host/" })).toThrow(/^EKS_AGENT_URL must be an http\(s\) URL/);
    expect(() => remoteEndpointFor("eks", c, { EKS_AGENT_URL: "not a url hunter2" })).not.toThrow(/hunter2/);
    expect(() => remoteEndpointFor("eks", config(`agents:\n  eks: { runtime_arn: "arn:aws:lambda:eu-west-1:123456789012:function:x" }\n`), {})).toThrow(/agents\.eks\.runtime_arn must be an AgentCore runtime ARN/);
  });

  it("makes A2A specialists for remote agents only", () => {
    const remote = remoteSpecialistsFromConfig(config("agents: {}\n"), { EKS_AGENT_URL: "http://127.0.0.1:9001/" });
    expect(remote("eks")?.id).toBe("eks");
    expect(remote("eks")?.skipReason).toBeUndefined();
    expect(remote("prometheus")).toBeUndefined();
  });

  it("buildSpecialists uses the remote agent instead of building it, and a disabled agent stays disabled", async () => {
    const deps = { cwd: "/", log: () => undefined, chats: {} };
    const remote = await buildSpecialists({ ...deps, config: config("agents:\n  eks: {}\n"), env: { EKS_AGENT_URL: "http://127.0.0.1:9001/", PROMETHEUS_AGENT_URL: "http://127.0.0.1:9003/" } });
    expect(remote.enabled.map((s) => s.id)).toEqual(["eks", "prometheus"]);
    const disabled = await buildSpecialists({ ...deps, config: config("agents:\n  eks: { enabled: false }\n"), env: { EKS_AGENT_URL: "http://127.0.0.1:9001/" } });
    expect(disabled.enabled.map((s) => s.id)).toEqual([]);
    expect(disabled.disabled).toContain("eks");
  });
});
