/** One sample of a series: epoch milliseconds and value (Prometheus' NaN and ±Inf included). */
export interface Point {
  readonly t: number;
  readonly v: number;
}

export type ChangeShape = "step" | "spike" | "trend" | "flat";
export type ChangeDirection = "up" | "down" | "none";

export interface ChangeStats {
  /** Finite samples the classification used. */
  readonly points: number;
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
}

/**
 * The shape of a series over a window:
 * - `step`: the level moved from `before` to `after` at `at` and stayed there;
 * - `spike`: a short excursion from `before` to `peak` starting at `at`, back near `before` by `until`;
 * - `trend`: a steady climb or fall from `before` (first sample) to `after` (last), `slopePerMs` per millisecond;
 * - `flat`: no change worth reporting; `before` and `after` are the median.
 * `insufficient` when fewer than three finite samples exist.
 */
export type Change = { readonly shape: "insufficient"; readonly points: number; readonly last?: number } | ObservedChange;

export interface ObservedChange {
  readonly shape: ChangeShape;
  readonly direction: ChangeDirection;
  readonly before: number;
  readonly after: number;
  readonly at?: number;
  readonly until?: number;
  readonly peak?: Point;
  readonly slopePerMs?: number;
  readonly stats: ChangeStats;
}

export interface ClassifyOptions {
  /** Absolute change below which nothing counts as a change (noise floor in the series' unit). Default 0. */
  readonly minDelta?: number;
  /** Relative change (to the larger of the two levels) below which nothing counts. Default 0.2. */
  readonly minRelative?: number;
}

const MIN_POINTS = 3;

/** A spike is at most this share of the window; longer excursions are steps or trends. */
const SPIKE_MAX_SHARE = 0.3;
const TREND_MIN_R2 = 0.75;

const median = (sorted: ReadonlyArray<number>): number => {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : sorted[mid - 1]! / 2 + sorted[mid]! / 2;
};

const medianOf = (values: ReadonlyArray<number>): number => median([...values].sort((a, b) => a - b));

const finiteOr = (value: number, fallback: number): number => (Number.isFinite(value) ? value : fallback);

/** Whether moving from `from` to `to` clears both noise floors of the options. */
export const isSignificantChange = (from: number, to: number, options: ClassifyOptions = {}): boolean => {
  const minDelta = Math.max(0, finiteOr(options.minDelta ?? 0, 0));
  const minRelative = Math.max(0, finiteOr(options.minRelative ?? 0.2, 0.2));
  const delta = Math.abs(to - from);
  return Number.isFinite(delta) && delta > minDelta && delta > minRelative * Math.max(Math.abs(from), Math.abs(to));
};

/**
 * Classifies a series' change over its window. Pure and total: any input, including NaN, ±Inf,
 * unsorted or empty series, gives an answer and never throws.
 */
export const classifyChange = (series: ReadonlyArray<Point>, options: ClassifyOptions = {}): Change => {
  const minDelta = Math.max(0, finiteOr(options.minDelta ?? 0, 0));
  const minRelative = Math.max(0, finiteOr(options.minRelative ?? 0.2, 0.2));
  const points = series.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v)).sort((a, b) => a.t - b.t);
  const n = points.length;
  if (n < MIN_POINTS) return n === 0 ? { shape: "insufficient", points: 0 } : { shape: "insufficient", points: n, last: points[n - 1]!.v };

  const ys = points.map((p) => p.v);
  const sorted = [...ys].sort((a, b) => a - b);
  const stats: ChangeStats = { points: n, first: ys[0]!, last: ys[n - 1]!, min: sorted[0]!, max: sorted[n - 1]!, median: median(sorted) };
  const med = stats.median;
  const significant = (from: number, to: number): boolean => isSignificantChange(from, to, { minDelta, minRelative });
  const flat: Change = { shape: "flat", direction: "none", before: med, after: med, stats };
  // Values near the float limits overflow the sums below; such a series has no readable shape.
  if (!Number.isFinite(ys.reduce((acc, y) => acc + Math.abs(y), 0))) return flat;

  const spike = detectSpike(points, med, minDelta, minRelative, significant);
  if (spike !== undefined) return { ...spike, stats };

  const step = bestStep(ys);
  const line = linearFit(points);
  const sst = sumSquares(ys, ys.reduce((a, b) => a + b, 0) / n);

  let stepChange: Change | undefined;
  if (step !== undefined) {
    const before = medianOf(ys.slice(0, step.k));
    const after = medianOf(ys.slice(step.k));
    const separated = Math.sqrt(step.sse / n) < Math.abs(step.meanAfter - step.meanBefore) / 2;
    if (separated && significant(before, after)) {
      const sign = Math.sign(after - before);
      // The best split lands mid-ramp when the series is a rate over a window; the change began
      // where the ramp left the old level.
      const head = ys.slice(0, step.k);
      const noise = medianOf(head.map((y) => Math.abs(y - before))) * 1.4826;
      const departed = Math.max(0.1 * Math.abs(after - before), 3 * noise);
      let onset = step.k;
      while (onset > 1 && (ys[onset - 1]! - before) * sign > departed) onset--;
      stepChange = { shape: "step", direction: sign > 0 ? "up" : "down", before, after, at: points[onset]!.t, stats };
    }
  }

  let trendChange: Change | undefined;
  if (line !== undefined && sst > 0) {
    const r2 = 1 - line.sse / sst;
    const from = line.intercept + line.slope * points[0]!.t;
    const to = line.intercept + line.slope * points[n - 1]!.t;
    if (Number.isFinite(r2) && r2 >= TREND_MIN_R2 && significant(from, to)) {
      trendChange = { shape: "trend", direction: to > from ? "up" : "down", before: stats.first, after: stats.last, slopePerMs: line.slope, stats };
    }
  }

  if (stepChange !== undefined && (trendChange === undefined || (step !== undefined && line !== undefined && step.sse < 0.5 * line.sse))) return stepChange;
  return trendChange ?? stepChange ?? flat;
};

type Significant = (from: number, to: number) => boolean;

const detectSpike = (points: ReadonlyArray<Point>, med: number, minDelta: number, minRelative: number, significant: Significant): Omit<ObservedChange, "stats"> | undefined => {
  const n = points.length;
  const mad = medianOf(points.map((p) => Math.abs(p.v - med))) * 1.4826;
  const threshold = Math.max(minDelta, 4 * mad, minRelative * Math.abs(med));
  const outside = (p: Point) => Math.abs(p.v - med) > threshold;
  const excursion: Array<number> = [];
  points.forEach((p, i) => {
    if (outside(p)) excursion.push(i);
  });
  if (excursion.length === 0) return undefined;
  const firstOut = excursion[0]!;
  const lastOut = excursion[excursion.length - 1]!;
  const span = lastOut - firstOut + 1;
  if (span > Math.max(1, Math.floor(SPIKE_MAX_SHARE * n)) || lastOut === n - 1 || firstOut === 0) return undefined;
  let peak = points[firstOut]!;
  for (const i of excursion) if (Math.abs(points[i]!.v - med) > Math.abs(peak.v - med)) peak = points[i]!;
  if (!significant(med, peak.v)) return undefined;
  const before = medianOf(points.slice(0, firstOut).map((p) => p.v));
  return {
    shape: "spike",
    direction: peak.v > med ? "up" : "down",
    before,
    after: points[n - 1]!.v,
    at: points[firstOut]!.t,
    until: points[lastOut + 1]!.t,
    peak: { t: peak.t, v: peak.v }
  };
};

const sumSquares = (ys: ReadonlyArray<number>, mean: number): number => ys.reduce((acc, y) => acc + (y - mean) * (y - mean), 0);

/** The split into two constant levels with the least squared error (each side ≥ 2 samples). */
const bestStep = (ys: ReadonlyArray<number>): { k: number; sse: number; meanBefore: number; meanAfter: number } | undefined => {
  const n = ys.length;
  if (n < 4) return undefined;
  const sum: Array<number> = [0];
  const sq: Array<number> = [0];
  for (const y of ys) {
    sum.push(sum[sum.length - 1]! + y);
    sq.push(sq[sq.length - 1]! + y * y);
  }
  const sse = (from: number, to: number) => {
    const count = to - from;
    const s = sum[to]! - sum[from]!;
    return Math.max(0, sq[to]! - sq[from]! - (s * s) / count);
  };
  let best: { k: number; sse: number; meanBefore: number; meanAfter: number } | undefined;
  for (let k = 2; k <= n - 2; k++) {
    const total = sse(0, k) + sse(k, n);
    if (!Number.isFinite(total)) continue;
    if (best === undefined || total < best.sse) best = { k, sse: total, meanBefore: (sum[k]! - sum[0]!) / k, meanAfter: (sum[n]! - sum[k]!) / (n - k) };
  }
  return best;
};

/** Least-squares line through the samples (time in ms), or undefined when time does not vary. */
const linearFit = (points: ReadonlyArray<Point>): { slope: number; intercept: number; sse: number } | undefined => {
  const n = points.length;
  const t0 = points[0]!.t;
  const meanT = points.reduce((a, p) => a + (p.t - t0), 0) / n;
  const meanY = points.reduce((a, p) => a + p.v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.t - t0 - meanT) ** 2;
    sxy += (p.t - t0 - meanT) * (p.v - meanY);
  }
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  const intercept = meanY - slope * (meanT + t0);
  const sse = points.reduce((acc, p) => acc + (p.v - (meanY + slope * (p.t - t0 - meanT))) ** 2, 0);
  return Number.isFinite(slope) && Number.isFinite(sse) ? { slope, intercept, sse } : undefined;
};
