import { makeDynamoExperimentStore } from "@sre-on-call/adapters";
import type { ExperimentStoreShape } from "@sre-on-call/core";
import { makeDynamoClient } from "../lambda/makeDynamoClient.js";
import { type Env, envValue } from "./buildChats.js";

/**
 * The experiments table on AWS (`SRE_EXPERIMENT_TABLE`, string keys `pk` and `sk`; region from
 * AWS_REGION, `SRE_DYNAMODB_ENDPOINT` for another endpoint), or undefined when it is not set.
 */
export const experimentStoreFromEnv = (env: Env): { readonly store: ExperimentStoreShape; readonly table: string; readonly close: () => void } | undefined => {
  const table = envValue(env, "SRE_EXPERIMENT_TABLE");
  if (table === undefined) return undefined;
  const region = envValue(env, "AWS_REGION");
  const endpoint = envValue(env, "SRE_DYNAMODB_ENDPOINT");
  const client = makeDynamoClient({ ...(region !== undefined ? { region } : {}), ...(endpoint !== undefined ? { endpoint } : {}) });
  return { store: makeDynamoExperimentStore({ client, tableName: table }), table, close: () => client.destroy() };
};
