export type Unit = "ratio" | "seconds" | "bytes" | "perSecond" | "count" | "number";

const trimZeros = (text: string) => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);

const significant = (v: number, digits = 3): string => {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(2);
  return trimZeros(v.toPrecision(digits));
};

/** A value as an engineer reads it: `12.4%`, `450 ms`, `2.1 s`, `495 MiB`, `50/s`. */
export const formatValue = (v: number, unit: Unit): string => {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  switch (unit) {
    case "ratio": {
      const pct = v * 100;
      const abs = Math.abs(pct);
      return `${abs === 0 ? "0" : abs < 0.1 ? trimZeros(pct.toFixed(2)) : trimZeros(pct.toFixed(1))}%`;
    }
    case "seconds":
      return Math.abs(v) < 1 ? `${significant(v * 1000)} ms` : `${significant(v)} s`;
    case "bytes": {
      const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
      let value = v;
      let i = 0;
      while (Math.abs(value) >= 1024 && i < units.length - 1) {
        value /= 1024;
        i++;
      }
      return `${significant(value)} ${units[i]!}`;
    }
    case "perSecond":
      return `${significant(v)}/s`;
    case "count":
      return String(Math.round(v));
    case "number":
      return significant(v);
  }
};

const pad = (n: number) => String(n).padStart(2, "0");

/** `14:03 UTC`, with the date when it is not the reference day. */
export const formatTime = (t: number, reference?: number): string => {
  const d = new Date(t);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
  if (reference === undefined || new Date(reference).toISOString().slice(0, 10) === d.toISOString().slice(0, 10)) return hm;
  return `${d.toISOString().slice(0, 10)} ${hm}`;
};

/** `2026-03-12 14:25:00`, the form the Prometheus UI's `end_input` takes (UTC). */
export const formatUiTime = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");

/**
 * A Prometheus UI graph link over a range, the kind Alertmanager's generatorURL uses:
 * `<base>/graph?g0.expr=…&g0.tab=0&g0.range_input=35m&g0.end_input=…`.
 */
export const graphLink = (base: string, expr: string, range: { readonly start: number; readonly end: number }): string => {
  const minutes = Math.max(1, Math.ceil((range.end - range.start) / 60_000));
  const params = new URLSearchParams({ "g0.expr": expr, "g0.tab": "0", "g0.range_input": `${minutes}m`, "g0.end_input": formatUiTime(range.end), "g0.moment_input": formatUiTime(range.end) });
  return `${base.replace(/\/+$/, "")}/graph?${params.toString()}`;
};
