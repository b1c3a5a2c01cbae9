const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

export type ParsedTimestamp =
  | { readonly _tag: "Unset" }
  | { readonly _tag: "Invalid" }
  | { readonly _tag: "At"; readonly millis: number };

const UNSET: ParsedTimestamp = { _tag: "Unset" };
const INVALID: ParsedTimestamp = { _tag: "Invalid" };

/**
 * Reads the RFC 3339 timestamps Go senders write (`2024-05-01T12:00:00.123456789Z`,
 * `…+02:00`). Go's zero time (`0001-01-01T00:00:00Z`), anything before the epoch, and a
 * missing or empty value mean "not set"; `Date.parse` is avoided because it accepts
 * free-form dates a sender never meant.
 */
export const parseTimestamp = (raw: string | null | undefined): ParsedTimestamp => {
  if (raw === undefined || raw === null || raw.trim() === "") return UNSET;
  const m = RFC3339.exec(raw.trim());
  if (m === null) return INVALID;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) {
    return INVALID;
  }
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let offset = 0;
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return INVALID;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, Math.min(second, 59), millis);
  const at = utc.getTime() - offset;
  return Number.isFinite(at) && at >= 0 ? { _tag: "At", millis: at } : UNSET;
};

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
