/** The words an error line contains, for every place a line is tested. */
const ERROR_WORDS = ["error", "exception", "fatal", "panic", "timeout", "refused", "denied"] as const;

/** Client-side twin of the Insights filter: applied again to every line, since not every endpoint evaluates the query. */
export const ERROR_LINE = new RegExp(`(${ERROR_WORDS.join("|")})`, "i");

export const isErrorLine = (message: string): boolean => ERROR_LINE.test(message);

const INSIGHTS_ERROR_FILTER = `filter @message like /(?i)(${ERROR_WORDS.join("|")})/`;

/** Logs Insights returns at most 10,000 rows per query. */
export const INSIGHTS_MAX_ROWS = 10_000;

/** The error lines of the alert window, newest first. */
export const errorLinesQuery = (limit: number = INSIGHTS_MAX_ROWS): string =>
  `fields @timestamp, @message, @logStream, @log\n| ${INSIGHTS_ERROR_FILTER}\n| sort @timestamp desc\n| limit ${Math.max(1, Math.min(INSIGHTS_MAX_ROWS, Math.floor(limit)))}`;

/** Volume per log group (snapshot). */
export const VOLUME_QUERY = "stats count(*) as events, sum(strlen(@message)) as bytes by @log\n| sort bytes desc\n| limit 50";

/** Error lines per log group (snapshot). */
export const ERRORS_BY_GROUP_QUERY = `${INSIGHTS_ERROR_FILTER}\n| stats count(*) as errors by @log\n| limit 50`;

/**
 * A FilterLogEvents pattern for the same words. Filter-pattern terms are case-sensitive and OR-ed
 * with `?`, so each word is listed in its usual casings; lines are re-checked with `ERROR_LINE`.
 */
export const ERROR_FILTER_PATTERN = ERROR_WORDS.flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()])
  .map((w) => `?${w}`)
  .join(" ");

const PLACEHOLDER = /<(?:ts|uuid|ip|pod|hex|id|num|str|\*)>|…/g;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * A query that shows the lines of one pattern: its longest literal run (between masked values)
 * that occurs verbatim in the exemplar, as a case-sensitive substring match, or the error filter
 * when the pattern has no usable literal.
 */
export const patternQuery = (patternKey: string, exemplar: string): string => {
  const literal = patternKey
    .split(PLACEHOLDER)
    .map((s) => s.replace(/^["'\s]+|["'\s]+$/g, ""))
    .filter((s) => exemplar.includes(s))
    .reduce((best, s) => (s.length > best.length ? s : best), "");
  const filter = literal.length >= 4 ? `filter @message like /${escapeRegex(literal)}/` : INSIGHTS_ERROR_FILTER;
  return `fields @timestamp, @message, @logStream, @log\n| ${filter}\n| sort @timestamp desc\n| limit 200`;
};

/**
 * A FilterLogEvents pattern for lines with every word: the server is asked for the longest word
 * only (quoted, so punctuation is literal; emulators do not AND several quoted terms), and the
 * caller keeps the lines that contain the others.
 */
export const textFilterPattern = (words: ReadonlyArray<string>): string => {
  const longest = words.map((w) => w.replace(/["\\]/g, "")).reduce((best, w) => (w.length > best.length ? w : best), "");
  return longest === "" ? "" : `"${longest}"`;
};

/** The Logs Insights query for lines containing every word (case-insensitive), for deep links. */
export const textQuery = (words: ReadonlyArray<string>): string =>
  `fields @timestamp, @message, @logStream, @log\n${words.map((w) => `| filter @message like /(?i)${escapeRegex(w)}/`).join("\n")}\n| sort @timestamp desc\n| limit 200`;
