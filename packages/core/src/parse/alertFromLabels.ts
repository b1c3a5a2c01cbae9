import type { AlertContext, AlertStatus, Entities } from "../model/AlertContext.js";
import type { Link, Platform } from "../model/primitives.js";
import { redactSecrets } from "../redact/redactSecrets.js";
import type { ParseOptions } from "./AlertFormat.js";
import { resolveOptions } from "./AlertFormat.js";
import { entitiesFromLabelsExact, mergeEntities, withWorkloadGuess } from "./entitiesFromLabels.js";
import { entitiesFromText } from "./entitiesFromText.js";
import { alertFingerprint } from "./fnv1a64.js";
import { investigationIdFor } from "./investigationIdFor.js";
import { windowAround } from "./windowAround.js";

/** One alert as a label-based alerting tool describes it. Times are epoch ms. */
export interface LabeledAlert {
  readonly source: Platform;
  readonly status: AlertStatus;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  /** When a resolved alert ended; ignored while the alert fires. */
  readonly endsAt?: number;
  /** The source's stable id; without one, the Alertmanager fingerprint of the labels is used. */
  readonly fingerprint?: string;
  readonly generatorUrl?: string;
  readonly links?: ReadonlyArray<Link>;
  readonly hints?: ReadonlyArray<string>;
}

const TEXT_ANNOTATIONS = ["summary", "description", "message", "title"];
const MAX_LINKS = 20;

/**
 * Builds the investigation for one label-based alert, the way the Alertmanager and Grafana
 * parsers do; custom `AlertFormat`s use it to behave the same.
 *
 * - `investigationId` comes from (source, fingerprint, startsAt): a re-sent notification
 *   gets the same id, and so does the later "resolved" notice of the same alert, which lets
 *   the intake attach it to the running investigation.
 * - Entities come from the labels, then from the annotations' text, then from pod-name guesses.
 * - The window is `windowMinutes` around `startsAt`, extended to `endsAt` once resolved.
 */
export const alertFromLabels = (alert: LabeledAlert, options: ParseOptions): AlertContext => {
  const o = resolveOptions(options);
  const labels = alert.labels;
  const annotations = alert.annotations;
  const fingerprint = nonEmpty(alert.fingerprint) ?? alertFingerprint(labels);
  const startsAt = Number.isFinite(alert.startsAt) && alert.startsAt >= 0 ? alert.startsAt : o.now;
  const endsAt = alert.status === "resolved" && alert.endsAt !== undefined && alert.endsAt >= startsAt ? alert.endsAt : startsAt;
  const annotationText = TEXT_ANNOTATIONS.map((k) => annotation(annotations, k))
    .filter((t): t is string => t !== undefined)
    .join("\n");
  const entities = withWorkloadGuess(mergeEntities(entitiesFromLabelsExact(labels), entitiesFromText(annotationText)));
  const links = collectLinks(annotations, alert.links ?? []);
  const hints = [...o.hints, ...(alert.hints ?? [])];
  if (alert.status === "resolved") hints.push(endsAt > startsAt ? `resolved at ${new Date(endsAt).toISOString()}` : "resolved");
  const generatorUrl = nonEmpty(alert.generatorUrl);
  return {
    investigationId: investigationIdFor(alert.source, fingerprint, String(startsAt)),
    source: alert.source,
    channelId: o.channelId,
    messageId: o.messageId,
    alertText: alertLine(alert.status, labels, annotations, entities),
    alertTimestamp: startsAt,
    window: windowAround(startsAt, o.windowMinutes, endsAt),
    status: alert.status,
    labels: { ...labels },
    annotations: { ...annotations },
    entities,
    hints,
    deadline: o.now + o.deadlineMs,
    fingerprint,
    ...(generatorUrl === undefined ? {} : { generatorUrl }),
    ...(links.length === 0 ? {} : { links })
  };
};

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === "" ? undefined : s);

const annotation = (annotations: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.hasOwn(annotations, key) ? nonEmpty(annotations[key]) : undefined;

// A text that must be cut is redacted first: a cut through a secret leaves a prefix no pattern recognises.
const oneLine = (s: string, max: number): string => {
  const flat = s.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const redacted = redactSecrets(flat);
  return redacted.length > max ? `${redacted.slice(0, max - 1)}…` : redacted;
};

/**
 * The workload the alert is about, as an engineer would write it: `payments/api-7d9f8b6c5-x2x9z`.
 * Without a workload, node or instance, the Prometheus scrape job is named as a job
 * (`job node-exporter`), never as if it were the affected service.
 */
export const describeTarget = (e: Entities): string | undefined => {
  const object = e.pod ?? e.deployment ?? e.statefulset ?? e.daemonset ?? e.service;
  if (object !== undefined) return e.namespace === undefined ? object : `${e.namespace}/${object}`;
  return e.node ?? e.instance ?? (e.namespace !== undefined ? `namespace ${e.namespace}` : e.job === undefined ? undefined : `job ${e.job}`);
};

/**
 * `InstanceDown`, `TargetDown`, `HostDown`, `PrometheusTargetMissing`, `BlackboxProbeUnreachable`:
 * alerts that a scrape target stopped answering, whose subject is the target (`instance`).
 */
const TARGET_DOWN = /(?:Down|Unreachable|Missing|Absent)$/;

/**
 * What a target-down alert is about: the `instance` first (what stopped answering), then the
 * workload behind it if one is named; with neither instance, workload nor node, the scrape job
 * whose targets are down, and its namespace.
 */
const describeDownTarget = (e: Entities): string | undefined => {
  const object = e.pod ?? e.deployment ?? e.statefulset ?? e.daemonset ?? e.service;
  const workload = object === undefined ? undefined : e.namespace === undefined ? object : `${e.namespace}/${object}`;
  if (e.instance !== undefined) return workload === undefined ? e.instance : `${e.instance} ${workload}`;
  if (workload !== undefined || e.node !== undefined || e.job === undefined) return describeTarget(e);
  return `job ${e.job}${e.namespace === undefined ? "" : ` in namespace ${e.namespace}`}`;
};

/** `[FIRING] KubePodCrashLooping payments/api-7d9f8b6c5-x2x9z (warning): Pod is crash looping. — Pod … is in waiting state` */
const alertLine = (
  status: AlertStatus,
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>>,
  entities: Entities
): string => {
  const name = nonEmpty(Object.hasOwn(labels, "alertname") ? labels["alertname"] : undefined);
  const parts = [`[${status.toUpperCase()}] ${oneLine(name ?? "alert", 200)}`];
  const target = name !== undefined && TARGET_DOWN.test(name) ? describeDownTarget(entities) : describeTarget(entities);
  if (target !== undefined) parts.push(` ${oneLine(target, 200)}`);
  if (entities.cluster !== undefined) parts.push(` in ${oneLine(entities.cluster, 100)}`);
  if (entities.severity !== undefined) parts.push(` (${oneLine(entities.severity, 40)})`);
  const summary = annotation(annotations, "summary") ?? annotation(annotations, "message") ?? annotation(annotations, "title");
  const description = annotation(annotations, "description");
  if (summary !== undefined) parts.push(`: ${oneLine(summary, 300)}`);
  if (description !== undefined && description !== summary) parts.push(`${summary === undefined ? ":" : " —"} ${oneLine(description, 600)}`);
  return parts.join("");
};

const URL_KEY = /(?:^|_)(?:url|link)$/i;
const LINK_KEYS: ReadonlySet<string> = new Set(["runbook", "dashboard", "playbook", "documentation", "docs"]);

/** Links from `*_url` / `*_link` annotations (runbook_url, dashboard_url…) plus the source's own, without duplicates. */
const collectLinks = (annotations: Readonly<Record<string, string>>, given: ReadonlyArray<Link>): Array<Link> => {
  const links: Array<Link> = [];
  const seen = new Set<string>();
  const add = (label: string, url: string): void => {
    if (links.length >= MAX_LINKS || seen.has(url) || !/^https?:\/\/\S+$/i.test(url)) return;
    seen.add(url);
    links.push({ label, url });
  };
  for (const [key, value] of Object.entries(annotations)) {
    if (URL_KEY.test(key) || LINK_KEYS.has(key.toLowerCase())) add(key.replace(/_?(?:url|link)$/i, "") || key, value.trim());
  }
  for (const l of given) add(l.label, l.url.trim());
  return links;
};
