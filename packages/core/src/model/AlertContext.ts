import { Schema } from "effect";
import { EpochMillis, NonEmptyString, Platform, StringMap, TimeWindow } from "./primitives.js";

/**
 * What investigators need to know about the affected system, extracted from labels,
 * annotations or free text. Every key is optional: a terse human report may name nothing.
 */
export const Entities = Schema.Struct({
  alertname: Schema.optionalKey(Schema.String),
  severity: Schema.optionalKey(Schema.String),
  cluster: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  pod: Schema.optionalKey(Schema.String),
  container: Schema.optionalKey(Schema.String),
  deployment: Schema.optionalKey(Schema.String),
  statefulset: Schema.optionalKey(Schema.String),
  daemonset: Schema.optionalKey(Schema.String),
  service: Schema.optionalKey(Schema.String),
  node: Schema.optionalKey(Schema.String),
  instance: Schema.optionalKey(Schema.String),
  /** The Prometheus scrape job (`job` label), not a Kubernetes Job. */
  job: Schema.optionalKey(Schema.String),
  /** A Kubernetes Job (kube-state-metrics' `job_name`). */
  kubeJob: Schema.optionalKey(Schema.String),
  cronjob: Schema.optionalKey(Schema.String),
  persistentvolumeclaim: Schema.optionalKey(Schema.String)
});
export type Entities = typeof Entities.Type;
export type EntityKey = keyof Entities;

export const ENTITY_KEYS: ReadonlyArray<EntityKey> = [
  "alertname",
  "severity",
  "cluster",
  "namespace",
  "pod",
  "container",
  "deployment",
  "statefulset",
  "daemonset",
  "service",
  "node",
  "instance",
  "job",
  "kubeJob",
  "cronjob",
  "persistentvolumeclaim"
];

export const AlertStatus = Schema.Literals(["firing", "resolved"]);
export type AlertStatus = typeof AlertStatus.Type;

/** One alert to investigate. `messageId` is the thread anchor every reply is posted under. */
export const AlertContext = Schema.Struct({
  investigationId: NonEmptyString,
  source: Platform,
  channelId: Schema.String,
  messageId: Schema.String,
  alertText: Schema.String,
  alertTimestamp: EpochMillis,
  window: TimeWindow,
  status: AlertStatus,
  labels: StringMap,
  annotations: StringMap,
  entities: Entities,
  /** Operator notes, source hints ("resolved", "reaction trigger") and other context for agents. */
  hints: Schema.Array(Schema.String),
  /** Absolute time by which the initial report must be posted. */
  deadline: EpochMillis,
  /** Alertmanager fingerprint or another stable id the source gave the alert. */
  fingerprint: Schema.optionalKey(Schema.String),
  /** Link back to the rule or query that fired (Alertmanager `generatorURL`, Grafana `generatorURL`). */
  generatorUrl: Schema.optionalKey(Schema.String),
  /**
   * True only when the alert arrived through an alert webhook whose sender proved who it is
   * (bearer or basic credentials). Anything a chat message says, or an unauthenticated webhook
   * sends, is untrusted: its expressions are never run against internal systems.
   */
  authenticatedSource: Schema.optionalKey(Schema.Boolean),
  /** Links the source attached (runbook, dashboard, panel, silence). */
  links: Schema.optionalKey(Schema.Array(Schema.Struct({ label: Schema.String, url: Schema.String })))
});
export type AlertContext = typeof AlertContext.Type;
