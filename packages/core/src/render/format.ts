import type { EvidenceState, HealthState } from "../model/InvestigationReport.js";
import type { Confidence, Severity } from "../model/primitives.js";

export const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  critical: "🔴",
  high: "🟠",
  medium: "🟡",
  low: "🔵",
  info: "⚪"
};

export const HEALTH_EMOJI: Readonly<Record<HealthState, string>> = {
  healthy: "🟢",
  degraded: "🟡",
  unhealthy: "🔴",
  unknown: "⚪"
};

export const CONFIDENCE_EMOJI: Readonly<Record<Confidence, string>> = { high: "🎯", medium: "🤔", low: "❔" };

/** A marker and a word for each evidence state, so a glance tells answered from silent. */
export const STATE_MARKER: Readonly<Record<EvidenceState, { readonly emoji: string; readonly label: string }>> = {
  ok: { emoji: "✅", label: "answered" },
  running: { emoji: "⏳", label: "still running" },
  error: { emoji: "❌", label: "failed" },
  unhealthy: { emoji: "🩺", label: "unhealthy" },
  timeout: { emoji: "⌛", label: "timed out" },
  disabled: { emoji: "⏸️", label: "disabled" },
  skipped: { emoji: "⏭️", label: "skipped" },
  interrupted: { emoji: "⏹️", label: "stopped by shutdown" }
};

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `2023-11-14 22:13:20 UTC`, or `unknown time` for a value that is not a time. */
export const formatUtc = (ms: number): string => {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return "unknown time";
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC`;
};

/** `840 ms`, `4.2 s`, `3 min 12 s`, `1 h 5 min`. */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return "unknown";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
};

/** `12,345` without depending on the runtime's locale data. */
export const formatCount = (n: number): string => {
  if (!Number.isFinite(n)) return "?";
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(n)));
  if (digits.includes("e")) return `${sign}${digits}`;
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
};

/** Dollars with enough digits that a cheap investigation does not show as `$0.00`. */
export const formatUsd = (usd: number): string => {
  if (!Number.isFinite(usd) || usd < 0) return "$?";
  if (usd === 0) return "$0";
  if (usd >= 100) return `$${formatCount(Math.round(usd))}`;
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (usd >= 0.01) return `$${usd.toFixed(3)}`;
  if (usd >= 0.0001) return `$${usd.toFixed(4)}`;
  return "under $0.0001";
};

/** A model id as people say it: no ARN, inference-profile geography, vendor or version suffix. */
export const displayModel = (modelId: string): string => {
  const id = modelId.trim();
  const tail = id.startsWith("arn:") ? id.slice(id.lastIndexOf("/") + 1) : id;
  const short = tail
    .replace(/^(?:us|us-gov|eu|apac|jp|au|ca|global)\./, "")
    .replace(/^anthropic\./, "")
    .replace(/-v\d+(?::\d+)*(?::\d+k)?$/, "");
  return short === "" ? id : short;
};

/** One line of at most `max` characters, cut on a character boundary with an ellipsis. */
export const clip = (text: string, max: number): string => {
  const line = text.replace(/\s+/g, " ").trim();
  if (line.length <= max) return line;
  let cut = Math.max(0, max - 1);
  const c = line.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${line.slice(0, cut)}…`;
};
