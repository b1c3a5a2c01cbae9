import type { Result } from "effect";
import type { AlertContext } from "../model/AlertContext.js";
import type { AlertParseError } from "./AlertParseError.js";

/** How webhook alerts are turned into investigations. Only `now` is required: parsing stays pure. */
export interface ParseOptions {
  /** When the payload was received (epoch ms): the deadline is counted from here. */
  readonly now: number;
  /** Half-width of the investigation window around the alert, in minutes. Default 5. */
  readonly windowMinutes?: number;
  /** How long after `now` the initial report is due, in ms. Default 60 000. */
  readonly deadlineMs?: number;
  /**
   * Webhook alerts have no chat message yet, so by default `channelId` and `messageId` are
   * empty and the intake fills them in once it has posted the alert it will thread under.
   * A caller that already knows where the alert is posted can pass them here.
   */
  readonly channelId?: string;
  readonly messageId?: string;
  /** Extra hints appended to every alert (operator notes, routing context). */
  readonly hints?: ReadonlyArray<string>;
}

/**
 * A team's own alert format, parsed without forking the core. `detect` must be cheap and
 * total; `parse` returns every alert in the payload or an `AlertParseError` naming what is
 * wrong. Both may throw: `parseAlertPayload` turns a throw into an `AlertParseError`.
 * `alertFromLabels` builds a context the same way the built-in formats do.
 */
export interface AlertFormat {
  readonly name: string;
  readonly detect: (payload: unknown) => boolean;
  readonly parse: (payload: unknown, options: ParseOptions) => Result.Result<ReadonlyArray<AlertContext>, AlertParseError>;
}

export const DEFAULT_WINDOW_MINUTES = 5;
export const DEFAULT_DEADLINE_MS = 60_000;
/** A window wider than a week is a configuration mistake, not a wish: it is capped here. */
const MAX_WINDOW_MINUTES = 7 * 24 * 60;

export interface ResolvedOptions {
  readonly now: number;
  readonly windowMinutes: number;
  readonly deadlineMs: number;
  readonly channelId: string;
  readonly messageId: string;
  readonly hints: ReadonlyArray<string>;
}

/** Fills defaults; a non-finite or negative number falls back to its default instead of poisoning every window. */
export const resolveOptions = (options: ParseOptions): ResolvedOptions => ({
  now: finiteNonNegative(options.now, 0),
  windowMinutes: Math.min(finiteNonNegative(options.windowMinutes, DEFAULT_WINDOW_MINUTES), MAX_WINDOW_MINUTES),
  deadlineMs: finiteNonNegative(options.deadlineMs, DEFAULT_DEADLINE_MS),
  channelId: typeof options.channelId === "string" ? options.channelId : "",
  messageId: typeof options.messageId === "string" ? options.messageId : "",
  hints: Array.isArray(options.hints) ? options.hints.filter((h): h is string => typeof h === "string") : []
});

const finiteNonNegative = (value: number | undefined, fallback: number): number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : fallback;
