import { Schema } from "effect";

/**
 * Why a Prometheus API call failed:
 * - `unreachable`: no connection (refused, DNS, TLS), or the URL is not a Prometheus query API (404);
 * - `auth`: the credentials were refused or are missing (401, 403);
 * - `bad-query`: the server rejected the PromQL or its parameters (400 `bad_data`, 422 `execution`);
 * - `timeout`: no answer within the per-request budget, or the server's own query timeout (503 `timeout`);
 * - `limited`: the server refused for load or size (429, Mimir/Thanos/VictoriaMetrics limits), or the answer was too large;
 * - `invalid`: the answer was not the API's JSON;
 * - `failed`: anything else the server reported (5xx).
 */
export const PrometheusFailure = Schema.Literals(["unreachable", "auth", "bad-query", "timeout", "limited", "invalid", "failed"]);
export type PrometheusFailure = typeof PrometheusFailure.Type;

export class PrometheusError extends Schema.TaggedError<PrometheusError>()("PrometheusError", {
  reason: PrometheusFailure,
  /** What was being done, e.g. `query_range sum(rate(...))`. Never holds credentials. */
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.operation}: ${this.reason}: ${this.detail}`;
  }
}
