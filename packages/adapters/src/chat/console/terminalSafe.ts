/**
 * Text bound for a terminal, from alert payloads, chat messages, logs or agents' errors, must not
 * drive the terminal: an escape sequence can clear the screen, rewrite what was printed, retitle
 * the window, plant a disguised hyperlink (OSC 8) or, on some terminals, answer back into the
 * shell. These helpers keep newline and tab and neutralise every other C0 and C1 control.
 */

/**
 * Escape sequences removed whole, so their parameters do not linger as noise: CSI (`ESC [` or
 * the C1 byte U+009B), OSC (`ESC ]` or U+009D, ended by BEL or ST), the string controls DCS,
 * SOS, PM, APC (`ESC P X ^ _` or U+0090, U+0098, U+009E, U+009F, ended by ST), then any other
 * two-character `ESC x`. An unterminated string ends at the line's end, so it cannot swallow
 * the rest of a report.
 */
const ESCAPE_SEQUENCE =
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c\n]*(?:\u0007|\u001b\\|\u009c)?|(?:\u001b[PX^_]|[\u0090\u0098\u009e\u009f])[^\u001b\u009c\n]*(?:\u001b\\|\u009c)?|\u001b[ -~]?/g;

/** C0 but tab and newline, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** The text with escape sequences and control characters other than `\n` and `\t` removed. */
export const stripTerminalControls = (text: string): string => text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "");

/**
 * JSON text (a log line, a `--json` output) made safe for a terminal without changing what it
 * decodes to: `JSON.stringify` escapes C0 but leaves DEL and C1 raw (U+009B is a CSI on many
 * terminals); every control but the line's own newline is written as a `\u00XX` escape. Only
 * valid inside JSON strings, where the raw characters can only be.
 */
export const escapeTerminalControls = (json: string): string =>
  json.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** `JSON.stringify`, then `escapeTerminalControls`. */
export const terminalJson = (value: unknown, indent?: number): string => escapeTerminalControls(JSON.stringify(value, null, indent) ?? "null");
