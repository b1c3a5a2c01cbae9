export interface Matcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

/** A PromQL string literal (Go escapes, which JSON's are a subset of). */
export const quote = (value: string): string => JSON.stringify(value);

/** `value` as a literal inside a PromQL (RE2) regular expression. */
export const regexLiteral = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const renderMatchers = (matchers: ReadonlyArray<Matcher>): string => matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(",");

/** `{a="b",…}` with optional extra matchers; `{}` is never produced for a metric-less selector. */
export const selector = (metric: string, matchers: ReadonlyArray<Matcher>): string => {
  const inner = renderMatchers(matchers);
  return inner === "" ? metric : `${metric}{${inner}}`;
};

/** A PromQL duration for milliseconds, in whole seconds. */
export const duration = (ms: number): string => `${Math.max(1, Math.round(ms / 1000))}s`;

/**
 * The PromQL of the rule that fired, from the `generatorURL` Prometheus (and Thanos Ruler,
 * Mimir's ruler) attach to alerts: `…/graph?g0.expr=<expr>&g0.tab=1`. Grafana-managed alerts
 * link to the rule page instead and carry no expression.
 */
export const expressionFromGeneratorUrl = (generatorUrl: string): string | undefined => {
  let url: URL;
  try {
    url = new URL(generatorUrl);
  } catch {
    return undefined;
  }
  const expr = url.searchParams.get("g0.expr")?.trim();
  return expr === undefined || expr === "" ? undefined : expr;
};

export type ComparisonOp = ">" | "<" | ">=" | "<=" | "==" | "!=";

export interface Comparison {
  /** The expression whose value is compared. */
  readonly value: string;
  readonly op: ComparisonOp;
  readonly threshold: number;
}

const FLIPPED: Readonly<Record<ComparisonOp, ComparisonOp>> = { ">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!=" };

export const compare = (value: number, op: ComparisonOp, threshold: number): boolean =>
  op === ">" ? value > threshold : op === "<" ? value < threshold : op === ">=" ? value >= threshold : op === "<=" ? value <= threshold : op === "==" ? value === threshold : value !== threshold;

interface TopLevel {
  readonly comparisons: ReadonlyArray<{ readonly index: number; readonly op: ComparisonOp }>;
  readonly setOperators: boolean;
}

/** Comparison operators and `and`/`or`/`unless` outside parentheses, braces, brackets, strings and comments. */
const scanTopLevel = (expr: string): TopLevel | undefined => {
  const comparisons: Array<{ index: number; op: ComparisonOp }> = [];
  let setOperators = false;
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === "\\" && c !== "`" ? 2 : 1;
      if (j >= expr.length) return undefined;
      i = j;
      continue;
    }
    if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      depth--;
      if (depth < 0) return undefined;
    } else if (depth === 0) {
      const two = expr.slice(i, i + 2);
      if (two === ">=" || two === "<=" || two === "==" || two === "!=") {
        comparisons.push({ index: i, op: two });
        i++;
      } else if (c === ">" || c === "<") comparisons.push({ index: i, op: c });
      else if (/[a-z]/i.test(c) && (i === 0 || !/[\w:]/.test(expr[i - 1]!))) {
        const word = /^[A-Za-z_:][\w:]*/.exec(expr.slice(i))?.[0] ?? "";
        if (word === "and" || word === "or" || word === "unless") setOperators = true;
        i += Math.max(0, word.length - 1);
      }
    }
  }
  return depth === 0 ? { comparisons, setOperators } : undefined;
};

/** The expression without `#` comments, or undefined when a string literal is unterminated. */
const stripComments = (expr: string): string | undefined => {
  let out = "";
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === "\\" && c !== "`" ? 2 : 1;
      if (j >= expr.length) return undefined;
      out += expr.slice(i, j + 1);
      i = j;
    } else if (c === "#") {
      while (i < expr.length && expr[i] !== "\n") i++;
      out += "\n";
    } else out += c;
  }
  return out;
};

const numberLiteral = (text: string): number | undefined => {
  const trimmed = text.trim().replace(/^bool\s+/, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * Splits `value > 0.05` (or `0.05 < value`) into the value and its threshold, so the value can
 * be graphed over the window; `undefined` when the expression is not one comparison with a
 * number at the top level (`a > 1 and b > 2`, `a > b`).
 */
export const splitComparison = (text: string): Comparison | undefined => {
  const expr = stripComments(text);
  if (expr === undefined) return undefined;
  const scan = scanTopLevel(expr);
  if (scan === undefined || scan.setOperators || scan.comparisons.length !== 1) return undefined;
  const { index, op } = scan.comparisons[0]!;
  const left = expr.slice(0, index).trim();
  const right = expr.slice(index + op.length).trim();
  if (left === "" || right === "") return undefined;
  const threshold = numberLiteral(right);
  if (threshold !== undefined && numberLiteral(left) === undefined) return { value: left, op, threshold };
  const reversed = numberLiteral(left);
  if (reversed !== undefined && numberLiteral(right) === undefined) return { value: right.replace(/^bool\s+/, ""), op: FLIPPED[op], threshold: reversed };
  return undefined;
};
