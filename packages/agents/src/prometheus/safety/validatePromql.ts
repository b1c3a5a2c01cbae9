import { redactSecrets } from "@sre-on-call/core";
import { Result, Schema } from "effect";
import { looksSecretLabel } from "./secretLabels.js";

/**
 * PromQL we did not write (an alert's `generatorURL`, a model's tool call) is refused before it
 * reaches Prometheus. The message says what is wrong and how to write it instead; it quotes only
 * names in the label-name alphabet and numbers, never the caller's strings.
 */
export class PromqlRefused extends Schema.TaggedError<PromqlRefused>()("PromqlRefused", {
  reason: Schema.String
}) {
  override get message(): string {
    return `PromQL refused: ${this.reason}`;
  }
}

export interface PromqlLimits {
  /** Longest expression, in characters (default 2,000). */
  readonly maxLength?: number;
  /** Deepest nesting of parentheses, calls and braces (default 32). */
  readonly maxDepth?: number;
  /** Most series selectors in one expression (default 32). */
  readonly maxSelectors?: number;
  /**
   * Longest range (`[7d]`), subquery range or offset, in milliseconds (default 7 days). Each step
   * of a range query re-reads the whole range, so this bounds the samples the server loads.
   */
  readonly maxLookbackMs?: number;
  /** Most points a subquery evaluates per series (default 11,000, Prometheus' own cap for a range query). */
  readonly maxSubqueryPoints?: number;
}

/** What a valid expression reads: the metric names its selectors name. */
export interface ValidPromql {
  readonly expr: string;
  readonly metrics: ReadonlyArray<string>;
}

const DAY = 86_400_000;
const DEFAULTS = { maxLength: 2_000, maxDepth: 32, maxSelectors: 32, maxLookbackMs: 7 * DAY, maxSubqueryPoints: 11_000 };
/** A subquery without a resolution runs at the server's evaluation interval; Prometheus' default is 1 minute. */
const DEFAULT_SUBQUERY_STEP_MS = 60_000;
/** A `__name__` regular expression names metrics when each alternative starts with this many literal characters. */
const MIN_NAME_PREFIX = 4;

const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"]);
const SET_OPERATORS = new Set(["and", "or", "unless", "atan2"]);
const KEYWORDS = new Set([...SET_OPERATORS, "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"]);
/** Functions whose string arguments at these positions (0-based; `rest` = from there on) are label names. */
const LABEL_ARGUMENTS: Readonly<Record<string, { readonly at: ReadonlyArray<number>; readonly rest?: number }>> = {
  label_replace: { at: [1, 3] },
  label_join: { at: [1], rest: 3 },
  count_values: { at: [0] },
  sort_by_label: { at: [], rest: 1 },
  sort_by_label_desc: { at: [], rest: 1 }
};
const COMPARISONS = new Set(["==", "!=", ">", "<", ">=", "<="]);
const BINARY = new Set(["+", "-", "*", "/", "%", "^", ...COMPARISONS]);
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY, y: 365 * DAY };

type Token =
  | { readonly kind: "ident"; readonly text: string; readonly at: number }
  | { readonly kind: "number"; readonly text: string; readonly at: number }
  | { readonly kind: "duration"; readonly ms: number; readonly text: string; readonly at: number }
  | { readonly kind: "string"; readonly value: string; readonly at: number }
  | { readonly kind: "punct"; readonly text: string; readonly at: number }
  | { readonly kind: "end"; readonly at: number };

/** Internal: thrown inside the parser, caught at its boundary and returned as a value. */
class Refusal {
  constructor(readonly reason: string) {}
}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/** A name safe to quote in a message: the label-name alphabet, short. */
const shown = (name: string): string => (/^[A-Za-z_:][A-Za-z0-9_:]{0,63}$/.test(name) ? `"${name}"` : "(a quoted name)");

const formatMs = (ms: number): string => {
  for (const [unit, size] of [["d", DAY], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
};

const DURATION_TOKEN = /^(?:\d+(?:ms|[smhdwy]))+(?![A-Za-z0-9_.])/;
const NUMBER_TOKEN = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![A-Za-z0-9_.])/;

/** Go's escapes, which PromQL strings use: `\\n`, `\\x61`, `\\141`, `\\u0061`, `\\U00000061`, `\\"`. */
const ESCAPE = /^\\(?:[abfnrtv\\'"]|x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/**
 * The character an escape stands for, so `"db_p\\u0061ssword"` is checked as the label Prometheus
 * reads, `db_password`.
 */
const unescape = (escape: string): string => {
  const kind = escape[1] ?? "";
  if (kind === "x" || kind === "u" || kind === "U") return String.fromCodePoint(Math.min(Number.parseInt(escape.slice(2), 16), 0x10ffff));
  if (/[0-7]/.test(kind)) return String.fromCodePoint(Number.parseInt(escape.slice(1), 8));
  return SIMPLE_ESCAPES[kind] ?? kind;
};

const durationMs = (text: string): number => {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|[smhdwy])/g)) total += Number(n) * (UNIT_MS[unit ?? "s"] ?? 1000);
  return total;
};

const tokenize = (expr: string): ReadonlyArray<Token> => {
  const tokens: Array<Token> = [];
  // Inside `[…]` a colon separates a subquery's range from its step; elsewhere it may start a recording rule's name.
  let inBrackets = false;
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < expr.length && expr[i] !== "\n") i++;
      continue;
    }
    const at = i;
    if (c === '"' || c === "'" || c === "`") {
      let value = "";
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) {
        if (expr[j] === "\\" && c !== "`") {
          const escape = ESCAPE.exec(expr.slice(j, j + 10));
          if (escape === null) refuse(`the string that starts at character ${at + 1} has an escape PromQL does not know`);
          value += unescape(escape?.[0] ?? "");
          j += escape?.[0].length ?? 2;
        } else value += expr[j++];
      }
      if (j >= expr.length) refuse(`a string that starts at character ${at + 1} is not closed`);
      tokens.push({ kind: "string", value, at });
      i = j + 1;
      continue;
    }
    const ident = (inBrackets ? /^[A-Za-z_][A-Za-z0-9_]*/ : /^[A-Za-z_:][A-Za-z0-9_:]*/).exec(expr.slice(i, i + 1_000));
    if (ident !== null) {
      tokens.push({ kind: "ident", text: ident[0], at });
      i += ident[0].length;
      continue;
    }
    const rest = expr.slice(i, i + 200);
    const duration = DURATION_TOKEN.exec(rest);
    if (duration !== null) {
      tokens.push({ kind: "duration", ms: durationMs(duration[0]), text: duration[0], at });
      i += duration[0].length;
      continue;
    }
    const number = NUMBER_TOKEN.exec(rest);
    if (number !== null) {
      tokens.push({ kind: "number", text: number[0], at });
      i += number[0].length;
      continue;
    }
    if (/[0-9.]/.test(c)) refuse(`character ${at + 1} starts neither a number nor a duration such as 5m or 1h30m`);
    const two = expr.slice(i, i + 2);
    if (["==", "!=", ">=", "<=", "=~", "!~"].includes(two)) {
      tokens.push({ kind: "punct", text: two, at });
      i += 2;
      continue;
    }
    if ("(){}[],:@+-*/%^=<>".includes(c)) {
      if (c === "[") inBrackets = true;
      else if (c === "]") inBrackets = false;
      tokens.push({ kind: "punct", text: c, at });
      i++;
      continue;
    }
    refuse(`character ${at + 1} is not part of PromQL`);
  }
  tokens.push({ kind: "end", at: expr.length });
  return tokens;
};

/** The literal start of a regular expression, up to its first operator. */
const literalPrefix = (regex: string): string => /^[A-Za-z0-9_:]*/.exec(regex)?.[0] ?? "";

/** Alternatives of a regular expression at its top level (not inside groups or classes). */
const topLevelAlternatives = (regex: string): ReadonlyArray<string> => {
  const out: Array<string> = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      out.push(regex.slice(start, i));
      start = i + 1;
    }
  }
  out.push(regex.slice(start));
  return out;
};

/**
 * Whether a `__name__` regex selects named metrics (`up|node_load1`,
 * `otelcol_exporter_sent_(spans|logs)_total`), not any metric (`.+`, `up|.*`): each alternative is
 * a whole name or starts with one's first few letters.
 */
const regexNamesMetrics = (regex: string): boolean =>
  topLevelAlternatives(regex).every((alternative) => {
    const prefix = literalPrefix(alternative);
    return prefix.length >= MIN_NAME_PREFIX || (prefix !== "" && prefix === alternative);
  });

type Node = { readonly kind: "string"; readonly value: string } | { readonly kind: "other" };
const OTHER: Node = { kind: "other" };

/**
 * Checks an expression before it runs: bounded length and nesting; every selector names a metric
 * (`up{job="api"}`, `{__name__="up"}`, `{__name__=~"node_filesystem_(avail|size)_bytes"}`, never a
 * bare `{job=~".+"}` or `{__name__=~".+"}` that reads every series); no label whose name looks
 * like a secret is matched, grouped by, or copied by `label_replace`/`label_join`; ranges,
 * subqueries and offsets look back at most `maxLookbackMs`; no text that looks like a credential.
 * Never throws; linear in the input.
 */
export const validatePromql = (expr: string, limits: PromqlLimits = {}): Result.Result<ValidPromql, PromqlRefused> => {
  const l = { ...DEFAULTS, ...limits };
  try {
    if (typeof expr !== "string" || expr.trim() === "") refuse("the expression is empty");
    if (expr.length > l.maxLength) refuse(`the expression is ${expr.length} characters long; the limit is ${l.maxLength}`);
    const tokens = tokenize(expr);
    const metrics = new Set<string>();
    let selectors = 0;
    let pos = 0;

    const peek = (offset = 0): Token => tokens[Math.min(pos + offset, tokens.length - 1)]!;
    const next = (): Token => tokens[Math.min(pos++, tokens.length - 1)]!;
    const isPunct = (t: Token, text: string) => t.kind === "punct" && t.text === text;
    const isWord = (t: Token, ...words: ReadonlyArray<string>) => t.kind === "ident" && words.includes(t.text.toLowerCase());
    const where = (t: Token) => (t.kind === "end" ? "at the end" : `at character ${t.at + 1}`);
    const expect = (text: string) => {
      const t = next();
      if (!isPunct(t, text)) refuse(`expected "${text}" ${where(t)}`);
    };
    const checkLabel = (name: string) => {
      if (looksSecretLabel(name)) refuse(`label ${shown(name)} looks like it holds a secret; matching, grouping or copying it is not allowed`);
    };
    const checkLookback = (ms: number, what: string) => {
      if (ms > l.maxLookbackMs) refuse(`${what} of ${formatMs(ms)} looks back further than the ${formatMs(l.maxLookbackMs)} limit; use a shorter range`);
    };
    const duration = (): number => {
      const t = next();
      if (t.kind === "duration") return t.ms;
      if (t.kind === "number" && Number.isFinite(Number(t.text))) return Number(t.text) * 1000;
      return refuse(`expected a duration such as 5m ${where(t)}`);
    };

    /** `(a, b, …)` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`. */
    const labelList = () => {
      expect("(");
      while (!isPunct(peek(), ")")) {
        const t = next();
        if (t.kind === "ident") checkLabel(t.text);
        else if (t.kind === "string") checkLabel(t.value);
        else refuse(`expected a label name ${where(t)}`);
        if (isPunct(peek(), ",")) next();
        else if (!isPunct(peek(), ")")) refuse(`expected "," or ")" ${where(peek())}`);
      }
      next();
    };

    /** `{label op "value", …}`, after an optional metric name. */
    const selector = (name: string | undefined) => {
      let metric = name;
      if (isPunct(peek(), "{")) {
        next();
        while (!isPunct(peek(), "}")) {
          const t = next();
          const label = t.kind === "ident" ? t.text : t.kind === "string" ? t.value : refuse(`expected a label matcher ${where(t)}`);
          const op = peek();
          if (t.kind === "string" && (isPunct(op, ",") || isPunct(op, "}"))) {
            // Prometheus 3 spells a metric name that is not an identifier as a lone string.
            metric ??= label;
          } else {
            if (!(op.kind === "punct" && ["=", "!=", "=~", "!~"].includes(op.text))) refuse(`expected =, !=, =~ or !~ ${where(op)}`);
            next();
            const value = next();
            if (value.kind !== "string") refuse(`expected a quoted value ${where(value)}`);
            const v = value.kind === "string" ? value.value : "";
            if (label === "__name__") {
              if (op.kind === "punct" && op.text === "=" && v !== "") metric ??= v;
              else if (op.kind === "punct" && op.text === "=~" && regexNamesMetrics(v)) metric ??= v;
            } else checkLabel(label);
          }
          if (isPunct(peek(), ",")) next();
          else if (!isPunct(peek(), "}")) refuse(`expected "," or "}" ${where(peek())}`);
        }
        next();
      }
      if (metric === undefined)
        refuse('a selector names no metric, so it would read every series; name the metric, e.g. http_requests_total{job="api"} or {__name__="up"}');
      selectors++;
      if (selectors > l.maxSelectors) refuse(`the expression has more than ${l.maxSelectors} selectors`);
      metrics.add(metric ?? "");
    };

    const args = (depth: number): ReadonlyArray<Node> => {
      expect("(");
      const out: Array<Node> = [];
      while (!isPunct(peek(), ")")) {
        out.push(expression(depth + 1));
        if (isPunct(peek(), ",")) next();
        else if (!isPunct(peek(), ")")) refuse(`expected "," or ")" ${where(peek())}`);
      }
      next();
      return out;
    };

    const primary = (depth: number): Node => {
      if (depth > l.maxDepth) refuse(`the expression is nested deeper than ${l.maxDepth} levels`);
      const t = next();
      if (t.kind === "number" || t.kind === "duration") return OTHER;
      if (t.kind === "string") return { kind: "string", value: t.value };
      if (isPunct(t, "(")) {
        expression(depth + 1);
        expect(")");
        return OTHER;
      }
      if (isPunct(t, "{")) {
        pos--;
        selector(undefined);
        return OTHER;
      }
      if (t.kind !== "ident") return refuse(`expected a metric, a function or a number ${where(t)}`);
      const word = t.text.toLowerCase();
      if (AGGREGATIONS.has(word) && (isPunct(peek(), "(") || isWord(peek(), "by", "without"))) {
        if (isWord(peek(), "by", "without")) {
          next();
          labelList();
        }
        const inner = args(depth);
        if (word === "count_values") checkLabelArguments(word, inner);
        if (isWord(peek(), "by", "without")) {
          next();
          labelList();
        }
        return OTHER;
      }
      if (isPunct(peek(), "(")) {
        checkLabelArguments(t.text, args(depth));
        return OTHER;
      }
      if (word === "inf" || word === "nan") return OTHER;
      if (KEYWORDS.has(word)) return refuse(`"${t.text}" ${where(t)} needs an expression before it`);
      selector(t.text);
      return OTHER;
    };

    const checkLabelArguments = (fn: string, nodes: ReadonlyArray<Node>) => {
      const spec = LABEL_ARGUMENTS[fn];
      if (spec === undefined) return;
      nodes.forEach((node, i) => {
        if (!(spec.at.includes(i) || (spec.rest !== undefined && i >= spec.rest))) return;
        if (node.kind !== "string") refuse(`${fn} takes label names as quoted strings`);
        else checkLabel(node.value);
      });
    };

    /** Ranges, subqueries, offsets and `@` after a primary. */
    const postfix = () => {
      let offset = 0;
      for (;;) {
        const t = peek();
        if (isPunct(t, "[")) {
          next();
          const range = duration();
          if (isPunct(peek(), ":")) {
            next();
            const step = isPunct(peek(), "]") ? DEFAULT_SUBQUERY_STEP_MS : duration();
            checkLookback(range, "a subquery range");
            if (step <= 0) refuse("a subquery resolution must be positive");
            const points = Math.ceil(range / Math.max(step, 1));
            if (points > l.maxSubqueryPoints) refuse(`a subquery of ${formatMs(range)} at ${formatMs(step)} evaluates ${points} points per series; the limit is ${l.maxSubqueryPoints}`);
          } else checkLookback(range, "a range");
          expect("]");
        } else if (isWord(t, "offset")) {
          next();
          const sign = isPunct(peek(), "-") || isPunct(peek(), "+") ? next() : undefined;
          offset = duration();
          if (sign === undefined || isPunct(sign, "+")) checkLookback(offset, "an offset");
        } else if (isPunct(t, "@")) {
          next();
          if (isPunct(peek(), "-") || isPunct(peek(), "+")) next();
          const at = next();
          if (isWord(at, "start", "end")) {
            expect("(");
            expect(")");
          } else if (at.kind !== "number") refuse(`expected a timestamp, start() or end() after @ ${where(at)}`);
        } else return;
      }
    };

    const unary = (depth: number): Node => {
      let signed = false;
      while (isPunct(peek(), "-") || isPunct(peek(), "+")) {
        next();
        signed = true;
      }
      const node = primary(depth);
      postfix();
      return signed ? OTHER : node;
    };

    const expression = (depth: number): Node => {
      let node = unary(depth);
      for (;;) {
        const t = peek();
        const binary = (t.kind === "punct" && BINARY.has(t.text)) || isWord(t, ...SET_OPERATORS);
        if (!binary) return node;
        next();
        if (isWord(peek(), "bool")) next();
        if (isWord(peek(), "on", "ignoring")) {
          next();
          labelList();
          if (isWord(peek(), "group_left", "group_right")) {
            next();
            if (isPunct(peek(), "(")) labelList();
          }
        }
        unary(depth);
        node = OTHER;
      }
    };

    expression(0);
    if (peek().kind !== "end") refuse(`unexpected ${isPunct(peek(), ")") ? '")"' : "text"} ${where(peek())}`);
    if (metrics.size === 0) refuse("the expression reads no metric, so there is nothing to re-evaluate");
    // Last, so a secret-looking label is refused with its own, clearer reason. Strings are checked
    // as Prometheus reads them too, so an escape cannot disguise a token.
    const strings = tokens.flatMap((t) => (t.kind === "string" ? [t.value] : []));
    if ([expr, ...strings].some((text) => redactSecrets(text) !== text)) refuse("the expression carries text that looks like a credential; rules never need one");
    return Result.succeed({ expr, metrics: [...metrics] });
  } catch (e) {
    if (e instanceof Refusal) return Result.fail(new PromqlRefused({ reason: e.reason }));
    // A stack overflow on hostile input is a refusal too, never a crash of the caller.
    return Result.fail(new PromqlRefused({ reason: "the expression could not be checked" }));
  }
};
