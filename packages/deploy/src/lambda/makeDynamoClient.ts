import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

export interface DynamoClientSettings {
  readonly region?: string;
  /** Another endpoint than AWS's (moto_server, DynamoDB Local). */
  readonly endpoint?: string;
}

/**
 * A DynamoDB client for the adapters' dedup store (the same `@aws-sdk/client-dynamodb` version as
 * the adapters, so pnpm links one module instance). Short timeouts keep a sick DynamoDB from
 * eating the platform's acknowledgement deadline (intake fails open on store errors).
 */
export const makeDynamoClient = (settings: DynamoClientSettings): DynamoDBClient =>
  new DynamoDBClient({
    ...(settings.region !== undefined ? { region: settings.region } : {}),
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 }
  });
