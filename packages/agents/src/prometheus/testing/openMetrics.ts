/** One series to load into a test Prometheus: samples are `[epoch ms, value]` in time order. */
export interface SeriesData {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: ReadonlyArray<readonly [number, number]>;
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

const formatValue = (v: number): string => (Number.isNaN(v) ? "NaN" : v === Number.POSITIVE_INFINITY ? "+Inf" : v === Number.NEGATIVE_INFINITY ? "-Inf" : String(v));

/**
 * The series as an OpenMetrics text file for `promtool tsdb create-blocks-from openmetrics`.
 * Families are written without `# TYPE` (as `unknown`), so `_total`/`_bucket` names need no
 * family bookkeeping; samples of one family stay together, as the format requires.
 */
export const toOpenMetrics = (series: ReadonlyArray<SeriesData>): string => {
  const byName = new Map<string, Array<SeriesData>>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const lines: Array<string> = [];
  for (const [name, members] of byName) {
    for (const s of members) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(",");
      const head = labels === "" ? name : `${name}{${labels}}`;
      for (const [t, v] of s.samples) lines.push(`${head} ${formatValue(v)} ${(t / 1000).toFixed(3)}`);
    }
  }
  lines.push("# EOF");
  return `${lines.join("\n")}\n`;
};
