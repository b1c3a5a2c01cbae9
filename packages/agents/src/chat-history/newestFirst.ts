import type { TimeWindow } from "@sre-on-call/core";

const MINUTE = 60_000;

/**
 * A history range in disjoint pieces, newest first: up to `at` − 15 min … end, then the hour
 * before the alert, then the rest. Reading them in this order lets a per-channel limit or a
 * deadline cut the oldest messages, whether the platform pages newest first (Slack) or oldest
 * first (Discord).
 */
export const newestFirst = (range: TimeWindow, at: number): ReadonlyArray<TimeWindow> => {
  // Whole milliseconds, as message timestamps are, so that no message falls between two pieces.
  const first = Math.floor(range.start);
  const last = Math.ceil(range.end);
  const cuts = [at - 15 * MINUTE, at - 60 * MINUTE].map((c) => Math.min(last, Math.max(first, Math.floor(c))));
  const out: Array<TimeWindow> = [];
  let end = last;
  for (const start of [...cuts, first]) {
    const previous = out.at(-1);
    if (start <= end && (previous === undefined || start < previous.start)) {
      out.push({ start, end });
      end = start - 1;
    }
  }
  return out;
};
