import { type A2aEndpoint, makeA2aSpecialist } from "@sre-on-call/adapters/a2a/A2aSpecialist";
import type { Specialist } from "@sre-on-call/core";
import { agentCoreTransport, regionOfRuntimeArn } from "../a2a/agentCoreTransport.js";
import { type AppConfig, agentConfigOf } from "../config/AppConfig.js";
import { type Env, envValue, StartupError } from "./buildChats.js";

/** What each agent does, for agent cards and remote specialists. */
export const AGENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  master: "Runs a whole investigation: fans an alert out to the specialists and answers with the incident report.",
  eks: "Kubernetes/EKS: pods, deployments, nodes, events and container logs around the alert.",
  prometheus: "Prometheus: the alert's metrics and related series around the alert window.",
  "cloudwatch-logs": "CloudWatch Logs: errors and anomalies in the log groups of the affected services.",
  "slack-history": "Slack history: what people said in the alert channels around the alert.",
  "discord-history": "Discord history: what people said in the alert channels around the alert.",
  "incident-history": "Incident history: similar past incidents and how they were resolved."
};

/** `CLOUDWATCH_LOGS` for `cloudwatch-logs`: the prefix of the agent's environment variables. */
export const agentEnvPrefix = (id: string): string => id.toUpperCase().replace(/-/g, "_");

export type RemoteEndpoint =
  | { readonly kind: "url"; readonly url: string; readonly from: string }
  | { readonly kind: "agentcore"; readonly runtimeArn: string; readonly region: string; readonly endpoint?: string; readonly qualifier?: string; readonly from: string };

/**
 * Where agent `id` runs when it is not in this process: `agents.<id>.runtime_arn` or
 * `agents.<id>.url` in config.yaml, else `<AGENT>_AGENT_RUNTIME_ARN` or `<AGENT>_AGENT_URL`.
 * An ARN wins over a URL. Undefined when the agent runs in-process.
 */
export const remoteEndpointFor = (id: string, config: AppConfig, env: Env): RemoteEndpoint | undefined => {
  const agent = agentConfigOf(config, id);
  const prefix = agentEnvPrefix(id);
  const arnFrom = agent?.runtime_arn !== undefined ? `agents.${id}.runtime_arn` : `${prefix}_AGENT_RUNTIME_ARN`;
  const arn = agent?.runtime_arn ?? envValue(env, `${prefix}_AGENT_RUNTIME_ARN`);
  if (arn !== undefined && arn !== "") {
    const region = regionOfRuntimeArn(arn);
    if (region === undefined) throw new StartupError(`${arnFrom} must be an AgentCore runtime ARN (arn:aws:bedrock-agentcore:<region>:<account>:runtime/<id>), not ${JSON.stringify(arn.slice(0, 120))}.`);
    const endpoint = envValue(env, "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE") ?? envValue(env, "AWS_ENDPOINT_URL");
    const qualifier = envValue(env, `${prefix}_AGENT_QUALIFIER`);
    return { kind: "agentcore", runtimeArn: arn, region, ...(endpoint !== undefined ? { endpoint } : {}), ...(qualifier !== undefined ? { qualifier } : {}), from: arnFrom };
  }
  const urlFrom = agent?.url !== undefined ? `agents.${id}.url` : `${prefix}_AGENT_URL`;
  const url = agent?.url ?? envValue(env, `${prefix}_AGENT_URL`);
  if (url === undefined || url === "") return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new StartupError(`${urlFrom} must be an http(s) URL of the agent's A2A server (for example http://127.0.0.1:9001/).`);
  }
  return { kind: "url", url, from: urlFrom };
};

export type SpecialistEndpoint =
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "agentcore"; readonly runtimeArn: string; readonly region: string; readonly endpoint?: string; readonly qualifier?: string };

export const toA2aEndpoint = (endpoint: SpecialistEndpoint): A2aEndpoint =>
  endpoint.kind === "url"
    ? { kind: "url", url: endpoint.url }
    : {
        kind: "transport",
        transport: agentCoreTransport({
          runtimeArn: endpoint.runtimeArn,
          region: endpoint.region,
          ...(endpoint.endpoint !== undefined ? { endpoint: endpoint.endpoint } : {}),
          ...(endpoint.qualifier !== undefined ? { qualifier: endpoint.qualifier } : {})
        })
      };

/**
 * A specialist reached over A2A, at a URL or in an AgentCore runtime (the AgentCore client
 * lives here, beside the AWS SDK; the protocol is `makeA2aSpecialist` in the adapters).
 */
export const makeRemoteSpecialist = (options: { readonly id: string; readonly description: string; readonly endpoint: SpecialistEndpoint; readonly timeoutMs?: number }): Specialist =>
  makeA2aSpecialist({ id: options.id, description: options.description, endpoint: toA2aEndpoint(options.endpoint), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });

/**
 * The remote specialists config.yaml and the environment name: a function answering, for an
 * agent id, the A2A specialist to use instead of building it in-process (undefined: build it here).
 * Endpoints are validated at once, so a bad URL or ARN stops startup with a message naming the key.
 */
export const remoteSpecialistsFromConfig = (config: AppConfig, env: Env): ((id: string) => Specialist | undefined) => {
  const cache = new Map<string, Specialist | undefined>();
  const resolve = (id: string) => {
    if (!cache.has(id)) {
      const endpoint = remoteEndpointFor(id, config, env);
      cache.set(id, endpoint === undefined ? undefined : makeRemoteSpecialist({ id, description: AGENT_DESCRIPTIONS[id] ?? id, endpoint }));
    }
    return cache.get(id);
  };
  return resolve;
};
