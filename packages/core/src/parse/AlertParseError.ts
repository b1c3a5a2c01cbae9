import { Schema } from "effect";

/**
 * An alert payload could not be read. `problems` name each thing that is wrong with the
 * path it was found at (`alerts[2].labels.team must be a string, got a number`), so the
 * operator who wired the webhook can fix it without reading our code. Label and
 * annotation values are never quoted (they may hold secrets); only timestamps, statuses
 * and versions are, truncated.
 */
export class AlertParseError extends Schema.TaggedError<AlertParseError>()("AlertParseError", {
  /** The format that rejected the payload (`alertmanager`, `grafana`, a custom format's name), or `unknown`. */
  format: Schema.String,
  problems: Schema.Array(Schema.String)
}) {
  override get message(): string {
    const what = this.format === "unknown" ? "alert payload" : `${this.format} payload`;
    return `invalid ${what}: ${this.problems.join("; ")}`;
  }
}
