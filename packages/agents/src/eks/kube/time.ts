import type { Event } from "./KubeObjects.js";

/** Epoch milliseconds of an RFC 3339 timestamp, or undefined. */
export const toMillis = (timestamp: string | null | undefined): number | undefined => {
  if (timestamp === undefined || timestamp === null || timestamp === "") return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : undefined;
};

/** When an event last happened; the fields in use differ between events.k8s.io-era and older reporters. */
export const eventTime = (e: Event): number | undefined =>
  toMillis(e.series?.lastObservedTime) ?? toMillis(e.lastTimestamp) ?? toMillis(e.eventTime) ?? toMillis(e.firstTimestamp) ?? toMillis(e.metadata.creationTimestamp);

export const eventCount = (e: Event): number => Math.max(1, e.series?.count ?? e.count ?? 1);

/** `2024-05-14T10:02:11Z`: second precision, what an operator compares with other tools. */
export const formatTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** `3m`, `2h10m`: how long before the alert something happened. */
export const formatDuration = (ms: number): string => {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 1) return `${Math.round(Math.abs(ms) / 1000)}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
};
