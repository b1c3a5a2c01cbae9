import type { TimeWindow } from "../model/primitives.js";

const MINUTE = 60_000;

/**
 * The investigation window: `minutes` either side of `timestamp`, or from `minutes` before
 * `timestamp` to `minutes` after `until` when the alert has already ended. The start is
 * clamped at the epoch, so the window is always a valid `TimeWindow`.
 */
export const windowAround = (timestamp: number, minutes: number, until: number = timestamp): TimeWindow => {
  const half = Number.isFinite(minutes) && minutes > 0 ? minutes * MINUTE : 0;
  const at = Number.isFinite(timestamp) && timestamp > 0 ? timestamp : 0;
  const end = Number.isFinite(until) && until > at ? until : at;
  return { start: Math.max(0, at - half), end: end + half };
};
