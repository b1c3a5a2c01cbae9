import { type AlertContext, type Finding, type Hypothesis, type Severity, severityRank } from "@sre-on-call/core";
import type { Answer, RangeSeries, TimeRange } from "../client/PrometheusClient.js";
import type { PrometheusError } from "../client/PrometheusError.js";
import { type Change, classifyChange, type ClassifyOptions, isSignificantChange, type ObservedChange, type Point } from "./classifyChange.js";
import { formatTime, formatValue, graphLink, type Unit } from "./format.js";
import { compare } from "./promql.js";
import type { PromScope } from "./scopeFromAlert.js";
import type { SignalId, SignalPlan } from "./signals.js";

/** What one range query gave: an answer, a typed failure, or nothing yet (cut by the deadline). */
export interface QueryOutcome {
  readonly signal: SignalPlan;
  readonly which: "window" | "dayEarlier";
  readonly answer?: Answer<RangeSeries> & { readonly stepMs: number };
  readonly error?: PrometheusError;
}

export interface AnalysisInput {
  readonly agent: string;
  readonly alert: AlertContext;
  readonly scope: PromScope;
  readonly window: TimeRange;
  readonly plans: ReadonlyArray<SignalPlan>;
  readonly outcomes: ReadonlyArray<QueryOutcome>;
  /** Base of the UI links (no credentials). */
  readonly graphBase: string;
  /** Findings that come first, before any query's: why the alert's own expression was not run. */
  readonly notes?: ReadonlyArray<AnalysisNote>;
}

export interface AnalysisNote {
  readonly content: string;
  readonly severity: Severity;
  readonly metadata: Finding["metadata"];
}

export interface SignalAnalysis {
  readonly findings: ReadonlyArray<Finding>;
  readonly hypotheses: ReadonlyArray<Hypothesis>;
  readonly summary: string;
  /** Signal ids by fate: with data, absent (no such series), failed, not answered in time. */
  readonly coverage: { readonly withData: ReadonlyArray<string>; readonly absent: ReadonlyArray<string>; readonly failed: ReadonlyArray<string>; readonly unanswered: ReadonlyArray<string> };
}

interface Tuning extends ClassifyOptions {
  /** Absolute levels of the worst value, most severe first (ratios of a limit or capacity, error ratios). */
  readonly levels?: ReadonlyArray<readonly [number, Severity]>;
}

const TUNING: Readonly<Record<SignalId, Tuning>> = {
  "alert-expression": { minDelta: 0, minRelative: 0.2 },
  "error-ratio": { minDelta: 0.005, minRelative: 0.2, levels: [[0.25, "critical"], [0.05, "high"], [0.01, "medium"]] },
  traffic: { minDelta: 0.1, minRelative: 0.25 },
  "latency-p99": { minDelta: 0.05, minRelative: 0.3 },
  "latency-p50": { minDelta: 0.02, minRelative: 0.3 },
  "cpu-throttling": { minDelta: 0.05, minRelative: 0, levels: [[0.5, "high"], [0.25, "medium"]] },
  "memory-vs-limit": { minDelta: 0.05, minRelative: 0, levels: [[0.9, "high"], [0.8, "medium"]] },
  "memory-working-set": { minDelta: 32 * 1024 * 1024, minRelative: 0.2 },
  restarts: {},
  "restart-reasons": {},
  "volume-usage": { minDelta: 0.01, minRelative: 0, levels: [[0.99, "critical"], [0.9, "high"], [0.8, "medium"]] },
  "node-filesystem": { minDelta: 0.01, minRelative: 0, levels: [[0.99, "critical"], [0.9, "high"], [0.8, "medium"]] }
};

/** Usage at or over this is "full" (severity, hypothesis); the first sample at `BRIM` dates it. */
const FULL = 0.99;
const BRIM = 0.999;
const MAX_FINDINGS_PER_SIGNAL = 3;
const DAY_MS = 86_400_000;

interface SeriesView {
  readonly plan: SignalPlan;
  readonly labels: Readonly<Record<string, string>>;
  readonly subject: string;
  readonly points: ReadonlyArray<Point>;
  readonly change: Change;
  readonly day?: Change;
  readonly severity: Severity;
  readonly notable: boolean;
  readonly chronic: boolean;
  readonly text: string;
  /** For restarts: restarts in the window, and a day earlier. */
  readonly restarts?: number;
  readonly worst: number;
}

const observed = (c: Change | undefined): ObservedChange | undefined => (c === undefined || c.shape === "insufficient" ? undefined : c);

const capitalize = (s: string) => (s === "" ? s : s[0]!.toUpperCase() + s.slice(1));

const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

const keyOf = (labels: Readonly<Record<string, string>>, names: ReadonlyArray<string>) => names.map((n) => labels[n] ?? "").join("\u0000");

/** Restarts counted as the counter's increases (a new pod starts a new series). */
const countIncreases = (points: ReadonlyArray<Point>): number => {
  let total = 0;
  let previous: number | undefined;
  for (const p of points) {
    if (!Number.isFinite(p.v)) continue;
    if (previous !== undefined && p.v > previous) total += p.v - previous;
    previous = p.v;
  }
  return Math.round(total);
};

const describeChange = (c: Change, unit: Unit, reference: number, tuning: ClassifyOptions = {}): string => {
  const f = (v: number) => formatValue(v, unit);
  if (c.shape === "insufficient") return c.points === 0 ? "has no samples" : `has only ${c.points} sample${c.points === 1 ? "" : "s"} (last ${f(c.last ?? Number.NaN)})`;
  switch (c.shape) {
    case "step":
      return `${c.direction === "up" ? "rose" : "fell"} from ${f(c.before)} to ${f(c.after)} at ${formatTime(c.at ?? 0, reference)} (step)`;
    case "spike":
      return `${c.direction === "up" ? "spiked" : "dropped"} from ${f(c.before)} to ${f(c.peak?.v ?? c.after)} at ${formatTime(c.at ?? 0, reference)} and was back to ${f(c.after)} by ${formatTime(c.until ?? 0, reference)} (spike)`;
    case "trend":
      return `${c.direction === "up" ? "climbed" : "declined"} from ${f(c.before)} to ${f(c.after)} over the window (trend)`;
    case "flat":
      // A sawtooth (memory growing until a restart) has no lasting change but a range worth showing.
      return isSignificantChange(c.stats.min, c.stats.max, tuning)
        ? `varied between ${f(c.stats.min)} and ${f(c.stats.max)} around ${f(c.before)} with no lasting change (flat)`
        : `steady at ${f(c.before)} (flat)`;
  }
};

const describeDayEarlier = (day: Change | undefined, unit: Unit): string => {
  const d = observed(day);
  if (d === undefined) return "";
  const f = (v: number) => formatValue(v, unit);
  const level = f(d.stats.min) === f(d.stats.max) ? f(d.stats.median) : `${f(d.stats.min)}–${f(d.stats.max)}`;
  return `; a day earlier ${level} (${d.shape})`;
};

const levelSeverity = (tuning: Tuning, worst: number): Severity | undefined => tuning.levels?.find(([threshold]) => worst >= threshold)?.[1];

/** How bad a series looks: absolute levels where the unit has them, change against the baseline otherwise. */
const assess = (plan: SignalPlan, change: Change, day: Change | undefined): { severity: Severity; notable: boolean; chronic: boolean; worst: number } => {
  const tuning = TUNING[plan.id];
  const c = observed(change);
  if (c === undefined) return { severity: "info", notable: false, chronic: false, worst: Number.NaN };
  const d = observed(day);
  const shifted = d !== undefined && isSignificantChange(d.stats.median, c.stats.median, tuning);
  const changed = c.shape !== "flat" || shifted;
  const baseline = c.shape === "flat" ? (d?.stats.median ?? c.before) : c.before;

  if (plan.id === "traffic") {
    const ratio = baseline > 0 ? c.stats.min / baseline : 1;
    const severity: Severity = ratio <= 0.1 ? "high" : ratio <= 0.5 ? "medium" : changed ? "low" : "info";
    return { severity, notable: changed || severity !== "info", chronic: false, worst: c.stats.min };
  }
  if (plan.id === "latency-p99" || plan.id === "latency-p50") {
    const ratio = baseline > 0 ? c.stats.max / baseline : c.stats.max > 0 ? Number.POSITIVE_INFINITY : 1;
    const up = changed && c.stats.max > baseline;
    let severity: Severity = up && ratio >= 5 ? "high" : up && ratio >= 2 ? "medium" : up ? "low" : "info";
    // The median moving is real but rarely paging on its own; the tail carries the severity.
    if (plan.id === "latency-p50" && severityRank(severity) < severityRank("medium")) severity = "medium";
    const chronic = d !== undefined && severity !== "info" && d.stats.max >= c.stats.max * 0.8;
    return { severity: chronic ? "low" : severity, notable: changed, chronic, worst: c.stats.max };
  }
  const worst = c.stats.max;
  const level = levelSeverity(tuning, worst);
  const rising = changed && (c.direction === "up" || (shifted && d !== undefined && c.stats.median > d.stats.median));
  let severity: Severity = level ?? (rising ? "low" : "info");
  const chronic = level !== undefined && d !== undefined && levelSeverity(tuning, d.stats.max) === level;
  if (chronic) severity = "low";
  return { severity, notable: changed || severity !== "info", chronic, worst };
};

/** The rule's condition still true at the window's end confirms the alert; true earlier only, a flap. */
const assessAlertExpression = (plan: SignalPlan, points: ReadonlyArray<Point>, change: Change): { severity: Severity; notable: boolean; chronic: boolean; worst: number } => {
  const finite = points.filter((p) => Number.isFinite(p.v));
  const last = finite[finite.length - 1];
  const worst = observed(change)?.stats.max ?? Number.NaN;
  const cmp = plan.comparison;
  if (last === undefined) return { severity: "info", notable: true, chronic: false, worst };
  // Without a threshold, a sample means the condition held.
  const holdsAtEnd = cmp === undefined ? true : compare(last.v, cmp.op, cmp.threshold);
  const heldAtAll = cmp === undefined ? true : finite.some((p) => compare(p.v, cmp.op, cmp.threshold));
  return { severity: holdsAtEnd ? "medium" : heldAtAll ? "low" : "info", notable: true, chronic: false, worst };
};

const subjectOf = (plan: SignalPlan, labels: Readonly<Record<string, string>>, fallback: string): string => {
  if (plan.subjectLabels.length === 0) return fallback;
  if (plan.id === "node-filesystem") return `${labels["instance"] ?? "?"} ${labels["mountpoint"] ?? ""}`.trim();
  return plan.subjectLabels
    .filter((l) => l !== "reason")
    .map((l) => labels[l])
    .filter((v): v is string => v !== undefined && v !== "")
    .join("/");
};

/** The sentence for a usage series reaching or heading for full. */
const fullness = (c: ObservedChange, points: ReadonlyArray<Point>, reference: number): string => {
  if (c.stats.max >= FULL) {
    const since = fullSince(points);
    const still = c.stats.last >= FULL;
    return since === undefined ? "" : still ? `; full since ${formatTime(since.t, reference)}` : `; was full at ${formatTime(since.t, reference)}`;
  }
  if (c.shape === "trend" && c.direction === "up" && (c.slopePerMs ?? 0) > 0) {
    const last = points[points.length - 1];
    if (last === undefined) return "";
    const eta = last.t + (1 - c.stats.last) / (c.slopePerMs ?? 1);
    if (eta - last.t < 7 * DAY_MS) return `; full around ${formatTime(eta, reference)} at this rate`;
  }
  return "";
};

const fullSince = (points: ReadonlyArray<Point>): Point | undefined => points.find((p) => p.v >= BRIM) ?? points.find((p) => p.v >= FULL);

export const analyzeSignals = (input: AnalysisInput): SignalAnalysis => {
  const { alert, window, scope, agent } = input;
  const reference = alert.alertTimestamp;
  const withData: Array<string> = [];
  const absent: Array<string> = [];
  const failed: Array<string> = [];
  const unanswered: Array<string> = [];
  const views = new Map<SignalId, Array<SeriesView>>();
  const outcomeOf = (plan: SignalPlan, which: QueryOutcome["which"]) => input.outcomes.find((o) => o.signal === plan && o.which === which);

  const findings: Array<Finding> = [];
  const viewOfFinding = new Map<string, SeriesView>();
  const add = (content: string, severity: Severity, timestamp: number, metadata: Finding["metadata"], deepLink?: string): string => {
    const id = `${agent}:${findings.length + 1}`;
    findings.push({ id, agent, source: "prometheus", timestamp, content, severity, metadata, ...(deepLink === undefined ? {} : { deepLink }) });
    return id;
  };

  for (const note of input.notes ?? []) add(note.content, note.severity, reference, note.metadata);

  for (const plan of input.plans) {
    const current = outcomeOf(plan, "window");
    if (current === undefined) {
      unanswered.push(plan.id);
      continue;
    }
    if (current.error !== undefined) {
      failed.push(plan.id);
      if (plan.id === "alert-expression") {
        add(`The alert's expression could not be re-evaluated (${current.error.reason}): ${current.error.detail}`, "low", reference, { signal: plan.id, query: plan.expr, error: current.error.reason }, graphLink(input.graphBase, plan.expr, window));
      }
      continue;
    }
    const series = (current.answer?.series ?? []).filter((s) => s.points.some((p) => Number.isFinite(p.v)));
    if (series.length === 0) {
      absent.push(plan.id);
      if (plan.id === "alert-expression") {
        add(
          `The alert's expression returns no data between ${formatTime(window.start, reference)} and ${formatTime(window.end, reference)}: its series are absent or were renamed (${plan.expr})`,
          "low",
          reference,
          { signal: plan.id, query: plan.expr },
          graphLink(input.graphBase, plan.expr, window)
        );
      }
      continue;
    }
    withData.push(plan.id);
    const dayOutcome = outcomeOf(plan, "dayEarlier");
    const dayByKey = new Map<string, RangeSeries>();
    for (const s of dayOutcome?.answer?.series ?? []) dayByKey.set(keyOf(s.labels, plan.subjectLabels), s);
    const tuning = TUNING[plan.id];
    const list: Array<SeriesView> = [];
    for (const s of series) {
      const change = classifyChange(s.points, tuning);
      const daySeries = dayByKey.get(keyOf(s.labels, plan.subjectLabels));
      const day = daySeries === undefined ? undefined : classifyChange(daySeries.points, tuning);
      const subject = subjectOf(plan, s.labels, scope.subject);
      if (plan.id === "restarts") {
        const restarts = countIncreases(s.points);
        const before = daySeries === undefined ? undefined : countIncreases(daySeries.points);
        const severity: Severity = restarts >= 3 ? "high" : restarts >= 1 ? "medium" : "info";
        const text = `${subject} restarted ${restarts} time${restarts === 1 ? "" : "s"} between ${formatTime(window.start, reference)} and ${formatTime(window.end, reference)}${before === undefined ? "" : before === 0 ? "; none in the same window a day earlier" : `; ${before} in the same window a day earlier`}`;
        list.push({ plan, labels: s.labels, subject, points: s.points, change, ...(day === undefined ? {} : { day }), severity, notable: restarts > 0, chronic: false, text, restarts, worst: restarts });
        continue;
      }
      if (plan.id === "restart-reasons") {
        list.push({ plan, labels: s.labels, subject, points: s.points, change, severity: "info", notable: false, chronic: false, text: "", worst: 0 });
        continue;
      }
      const verdict = plan.id === "alert-expression" ? assessAlertExpression(plan, s.points, change) : assess(plan, change, day);
      const c = observed(change);
      let text: string;
      if (plan.id === "alert-expression") {
        text = describeAlertExpression(plan, s, change, reference);
      } else {
        text = `${capitalize(plan.title)} of ${subject} ${describeChange(change, plan.unit, reference, tuning)}`;
        if (c !== undefined && (plan.id === "volume-usage" || plan.id === "node-filesystem")) text += fullness(c, s.points, reference);
      }
      text += describeDayEarlier(day, plan.unit);
      if (verdict.chronic) text += ": the same level as a day earlier, so probably not what changed";
      list.push({ plan, labels: s.labels, subject, points: s.points, change, ...(day === undefined ? {} : { day }), ...verdict, text });
    }
    views.set(plan.id, list);
  }

  // Alert expression first, then the notable signals by severity, then what stayed the same.
  const reasons = views.get("restart-reasons") ?? [];
  const reasonFor = (v: SeriesView): string | undefined => reasons.find((r) => keyOf(r.labels, ["namespace", "pod", "container"]) === keyOf(v.labels, ["namespace", "pod", "container"]))?.labels["reason"];
  const ordered: Array<SeriesView> = [];
  const steady: Array<SeriesView> = [];
  for (const plan of input.plans) {
    if (plan.id === "restart-reasons") continue;
    const list = views.get(plan.id) ?? [];
    if (plan.id === "alert-expression") {
      ordered.push(...[...list].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.worst - a.worst).slice(0, MAX_FINDINGS_PER_SIGNAL));
      continue;
    }
    const notable = list.filter((v) => v.notable).sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || b.worst - a.worst);
    ordered.push(...notable.slice(0, MAX_FINDINGS_PER_SIGNAL));
    const quiet = list.filter((v) => !v.notable).sort((a, b) => b.worst - a.worst)[0];
    if (notable.length === 0 && quiet !== undefined) steady.push(quiet);
  }
  const alertViews = ordered.filter((v) => v.plan.id === "alert-expression");
  const signalViews = ordered.filter((v) => v.plan.id !== "alert-expression").sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  for (const v of [...alertViews, ...signalViews]) {
    const c = observed(v.change);
    const d = observed(v.day);
    const reason = v.plan.id === "restarts" ? reasonFor(v) : undefined;
    const content = reason === undefined ? v.text : `${v.text} (last terminated: ${reason})`;
    const id = add(
      content,
      v.severity,
      c?.at ?? reference,
      {
        signal: v.plan.id,
        query: v.plan.expr,
        unit: v.plan.unit,
        labels: { ...v.labels },
        ...(c === undefined ? {} : { shape: c.shape, direction: c.direction, before: finiteOrNull(c.before), after: finiteOrNull(c.after), min: finiteOrNull(c.stats.min), max: finiteOrNull(c.stats.max) }),
        ...(c?.at === undefined ? {} : { changedAt: new Date(c.at).toISOString() }),
        ...(c?.peak === undefined ? {} : { peak: finiteOrNull(c.peak.v) }),
        ...(d === undefined ? {} : { dayEarlier: { shape: d.shape, median: finiteOrNull(d.stats.median), min: finiteOrNull(d.stats.min), max: finiteOrNull(d.stats.max) } }),
        ...(v.restarts === undefined ? {} : { restarts: v.restarts }),
        ...(reason === undefined ? {} : { lastTerminatedReason: reason }),
        ...(v.chronic ? { chronic: true } : {})
      },
      graphLink(input.graphBase, v.plan.expr, window)
    );
    viewOfFinding.set(id, v);
  }
  if (steady.length > 0) {
    const parts = steady.map((v) => {
      const c = observed(v.change);
      const level = v.plan.id === "restarts" ? `${v.restarts ?? 0}` : c === undefined ? "n/a" : formatValue(v.plan.subjectLabels.length > 0 ? c.stats.max : c.stats.median, v.plan.unit);
      return `${v.plan.title} ${level}${v.plan.subjectLabels.length > 0 ? ` (${v.subject})` : ""}`;
    });
    add(`Unchanged around the alert for ${scope.subject}: ${parts.join(", ")}`, "info", reference, { signals: steady.map((v) => v.plan.id) });
  }

  const hypotheses = proposeHypotheses(input, findings, viewOfFinding, reasonFor);
  // The worst change leads the summary; the alert's own expression is the symptom, not news.
  const notable = findings
    .filter((f) => f.severity !== "info" || (f.metadata["signal"] !== undefined && f.metadata["shape"] !== "flat" && f.metadata["shape"] !== undefined))
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const headline =
    notable.length === 0
      ? withData.length === 0
        ? `No metrics for ${scope.subject} found in Prometheus`
        : `No metric change for ${scope.subject} (checked ${withData.length} signal${withData.length === 1 ? "" : "s"})`
      : `${notable[0]!.content}${notable.length > 1 ? ` (+${notable.length - 1} more change${notable.length === 2 ? "" : "s"})` : ""}`;
  const summary = hypotheses.length === 0 ? headline : `${headline}. Most likely: ${hypotheses[0]!.title}`;
  return { findings, hypotheses, summary, coverage: { withData, absent, failed, unanswered } };
};

const describeAlertExpression = (plan: SignalPlan, s: RangeSeries, change: Change, reference: number): string => {
  const labels = Object.entries(s.labels)
    .filter(([k]) => k !== "__name__")
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ");
  const head = `The alert's expression${labels === "" ? "" : ` {${labels}}`}`;
  const cmp = plan.comparison;
  const finite = s.points.filter((p) => Number.isFinite(p.v));
  if (cmp === undefined) {
    const first = finite[0];
    const last = finite[finite.length - 1];
    if (first === undefined || last === undefined) return `${head} returns no samples`;
    return `${head} ${describeChange(change, "number", reference)}; true from ${formatTime(first.t, reference)} to ${formatTime(last.t, reference)}`;
  }
  const crossing = finite.find((p) => compare(p.v, cmp.op, cmp.threshold));
  const last = finite[finite.length - 1];
  const threshold = `threshold ${cmp.op} ${formatValue(cmp.threshold, "number")}`;
  const state =
    crossing === undefined
      ? `; never ${threshold} in the window`
      : last !== undefined && compare(last.v, cmp.op, cmp.threshold)
        ? `; ${threshold} since ${formatTime(crossing.t, reference)}, still ${formatValue(last.v, "number")} at ${formatTime(last.t, reference)}`
        : `; crossed ${threshold} at ${formatTime(crossing.t, reference)} and is back to ${formatValue(last?.v ?? Number.NaN, "number")} at ${formatTime(last?.t ?? 0, reference)}`;
  return `${head} ${describeChange(change, "number", reference)}${state}`;
};

const proposeHypotheses = (
  input: AnalysisInput,
  findings: ReadonlyArray<Finding>,
  viewOf: ReadonlyMap<string, SeriesView>,
  reasonFor: (v: SeriesView) => string | undefined
): ReadonlyArray<Hypothesis> => {
  const { agent, alert, scope } = input;
  const reference = alert.alertTimestamp;
  const out: Array<Hypothesis> = [];
  // Built in the schema's field order, so a JSON round-trip gives back the same text.
  const propose = (h: Omit<Hypothesis, "id" | "proposedBy">) =>
    out.push({
      id: `${agent}:h${out.length + 1}`,
      title: h.title,
      detail: h.detail,
      confidence: h.confidence,
      supportingFindings: h.supportingFindings,
      confirmBy: h.confirmBy,
      proposedBy: agent,
      depth: h.depth,
      ...(h.chain === undefined ? {} : { chain: h.chain }),
      ...(h.actions === undefined ? {} : { actions: h.actions })
    });
  const symptom = `${alert.entities.alertname ?? "the alert"} on ${scope.subject}`;
  const entries = findings.flatMap((f) => {
    const v = viewOf.get(f.id);
    return v === undefined ? [] : [{ f, v }];
  });

  for (const { f, v } of entries) {
    const c = observed(v.change);
    if (c === undefined || c.stats.max < FULL) continue;
    if (v.plan.id === "volume-usage") {
      const ns = v.labels["namespace"] ?? "";
      const pvc = v.labels["persistentvolumeclaim"] ?? "";
      const since = fullSince(v.points);
      propose({
        title: `Volume ${ns}/${pvc} is full (${formatValue(c.stats.max, "ratio")} used${since === undefined ? "" : ` since ${formatTime(since.t, reference)}`})`,
        detail: f.content,
        confidence: "high",
        supportingFindings: [f.id],
        confirmBy: `kubectl -n ${ns} get pvc ${pvc}; df -h in a pod that mounts it; look for "No space left on device" in its logs`,
        depth: 2,
        chain: [`${ns}/${pvc} full`, "writes to it fail", symptom],
        actions: [`Free space on ${pvc} or expand it: kubectl -n ${ns} patch pvc ${pvc} -p '{"spec":{"resources":{"requests":{"storage":"<larger size>"}}}}' (needs allowVolumeExpansion)`, "Find what filled it (write-ahead logs, temporary files, a runaway table or log)"]
      });
    } else if (v.plan.id === "node-filesystem") {
      propose({
        title: `Filesystem ${v.subject} is full (${formatValue(c.stats.max, "ratio")} used)`,
        detail: f.content,
        confidence: "high",
        supportingFindings: [f.id],
        confirmBy: `df -h on the node; kubectl describe node (DiskPressure condition, evictions)`,
        depth: 2,
        chain: [`${v.subject} full`, "pods on the node are evicted or fail to write", symptom],
        actions: ["Free space on the node (images, logs, emptyDir volumes) or replace it", "Check for image garbage collection and log rotation failures"]
      });
    }
  }

  const memory = entries.filter(({ v }) => v.plan.id === "memory-vs-limit" && (observed(v.change)?.stats.max ?? 0) >= 0.9);
  const restarts = entries.filter(({ v }) => v.plan.id === "restarts" && (v.restarts ?? 0) > 0);
  for (const m of memory) {
    const key = keyOf(m.v.labels, ["namespace", "pod", "container"]);
    const r = restarts.find(({ v }) => keyOf(v.labels, ["namespace", "pod", "container"]) === key);
    if (r === undefined) continue;
    const reason = reasonFor(r.v);
    const oom = reason === "OOMKilled";
    const peak = observed(m.v.change)?.stats.max ?? Number.NaN;
    propose({
      title: `${m.v.subject} runs out of memory: working set reached ${formatValue(peak, "ratio")} of its limit and it restarted ${r.v.restarts ?? 0} time${r.v.restarts === 1 ? "" : "s"}${oom ? " (OOMKilled)" : ""}`,
      detail: `${m.f.content}. ${r.f.content}`,
      confidence: oom ? "high" : "medium",
      supportingFindings: [m.f.id, r.f.id],
      confirmBy: `kubectl -n ${m.v.labels["namespace"] ?? ""} describe pod ${m.v.labels["pod"] ?? ""} (Last State: Terminated, Reason: OOMKilled)`,
      depth: 1,
      chain: [`${m.v.subject} exceeds its memory limit`, "the kernel OOM-kills it", symptom],
      actions: ["Raise the container's memory limit, or find what grows (a leak, a larger input, a cache without bound)", "Compare with the last deploy: a new version may use more memory"]
    });
  }

  const throttled = entries.find(({ v }) => v.plan.id === "cpu-throttling" && (observed(v.change)?.stats.max ?? 0) >= 0.5);
  const slow = entries.find(({ v }) => v.plan.id === "latency-p99" && (v.severity === "high" || v.severity === "medium"));
  if (throttled !== undefined && slow !== undefined) {
    propose({
      title: `${throttled.v.subject} is CPU-throttled (${formatValue(observed(throttled.v.change)?.stats.max ?? Number.NaN, "ratio")} of periods) while p99 latency rose`,
      detail: `${throttled.f.content}. ${slow.f.content}`,
      confidence: "medium",
      supportingFindings: [throttled.f.id, slow.f.id],
      confirmBy: "Compare the container's CPU usage with its limit over the window; check whether latency falls when throttling does",
      depth: 1,
      actions: ["Raise or remove the CPU limit, or scale out"]
    });
  }
  return out;
};

/** `time` as the series' window key for `dayEarlier` queries: the same window one day earlier. */
export const dayEarlierOf = (range: TimeRange): TimeRange => ({ start: range.start - DAY_MS, end: range.end - DAY_MS });
