const TS = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/**
 * Slack message timestamps ("1712345678.123456": seconds, then microseconds) in epoch
 * milliseconds, rounded down. `undefined` for anything that is not such a timestamp.
 */
export const slackTsToMillis = (ts: string): number | undefined => {
  const m = TS.exec(ts);
  if (m === null) return undefined;
  const seconds = Number(m[1]);
  const micros = Number((m[2] ?? "").padEnd(6, "0"));
  return seconds * 1000 + Math.floor(micros / 1000);
};

/** The Slack timestamp at the start of millisecond `millis` (its first microsecond). */
export const millisToSlackTs = (millis: number): string => {
  const ms = Math.max(0, Math.floor(millis));
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}000`;
};

/** The last Slack timestamp inside millisecond `millis`, so an inclusive `latest` keeps all of it. */
export const millisToSlackTsEnd = (millis: number): string => {
  const ms = Math.max(0, Math.floor(millis));
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}999`;
};
