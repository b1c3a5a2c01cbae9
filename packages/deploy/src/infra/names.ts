import type { AgentId } from "../config/AppConfig.js";

/**
 * Physical names of the stack's resources. Every name carries the app and the stage, so two
 * stages never collide and an IAM policy can be scoped to one stage's resources. The scripts
 * (hydrate-secrets, build-and-push) derive the same names from `--stage`.
 */
export const resourcePrefix = (app: string, stage: string): string => `${app}-${stage}`;

export const secretName = (app: string, stage: string, platform: "slack" | "discord" | "webhook"): string => `${app}/${stage}/${platform}`;

export const configParameterName = (app: string, stage: string): string => `/${app}/${stage}/config`;

export const ecrRepositoryName = (app: string, stage: string, agent: AgentId): string => `${resourcePrefix(app, stage)}/${agent}`;

/** AgentCore runtime names allow `[a-zA-Z][a-zA-Z0-9_]{0,47}`: dashes become underscores. */
export const agentRuntimeName = (app: string, stage: string, agent: AgentId): string => `${app}_${stage}_${agent}`.replace(/-/g, "_");

/** `<AGENT>_AGENT_RUNTIME_ARN`, the variable the master reads a specialist's runtime ARN from. */
export const runtimeArnEnv = (agent: AgentId): string => `${agent.toUpperCase().replace(/-/g, "_")}_AGENT_RUNTIME_ARN`;

/** Logical (Pulumi) names are PascalCase: `cloudwatch-logs` → `CloudwatchLogs`. */
export const logicalName = (agent: AgentId): string =>
  agent
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
