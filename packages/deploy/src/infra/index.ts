export { type DeployInput, deployStack, INTAKE_HANDLER, type AgentOutputs, type StackOutputs } from "./deployStack.js";
export {
  type AgentPlan,
  DeployConfigError,
  type DeployPlan,
  type DeploySettings,
  deploySettingsFromEnv,
  planDeployment,
  ALARM_TOPIC_ENV,
  IMAGE_TAG_ENV,
  VPC_SECURITY_GROUPS_ENV,
  VPC_SUBNETS_ENV
} from "./deployPlan.js";
export type { InfraProvider, Input, Output } from "./InfraProvider.js";
export { agentRuntimeName, configParameterName, ecrRepositoryName, resourcePrefix, runtimeArnEnv, secretName } from "./names.js";
export { RESOURCE_WILDCARD_ACTIONS } from "./policies.js";
