export { makePrometheusSpecialist, type PrometheusSpecialistOptions } from "./PrometheusSpecialist.js";
export {
  makePrometheusClient,
  type PrometheusClient,
  type PrometheusClientOptions,
  type PrometheusAuth,
  type Answer as PrometheusAnswer,
  type InstantSample as PrometheusInstantSample,
  type RangeSeries as PrometheusRangeSeries
} from "./client/PrometheusClient.js";
export { PrometheusError, PrometheusFailure } from "./client/PrometheusError.js";
export { classifyChange, type Change as MetricChange, type ClassifyOptions as ClassifyChangeOptions, type Point as MetricPoint } from "./analyze/classifyChange.js";
export { expressionFromGeneratorUrl, splitComparison as splitPromqlComparison } from "./analyze/promql.js";
export { validatePromql, PromqlRefused, type PromqlLimits, type ValidPromql } from "./safety/validatePromql.js";
export { looksSecretLabel, redactLabels } from "./safety/secretLabels.js";
