/**
 * JSURL (the compact JSON-in-a-URL notation the CloudWatch console keeps its Logs Insights
 * state in): `~(key~'string~key~(~'array~'items))`, with every character outside
 * `[A-Za-z0-9_.-]` written as `*hh` (or `**hhhh`) and `$` as `!`.
 */
const jsurlString = (s: string): string =>
  s.replace(/[^\w.-]/g, (ch) => {
    if (ch === "$") return "!";
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `*${code.toString(16).padStart(2, "0")}` : `**${code.toString(16).padStart(4, "0")}`;
  });

type Jsurl = string | number | boolean | ReadonlyArray<Jsurl> | { readonly [k: string]: Jsurl };

export const toJsurl = (v: Jsurl): string => {
  if (typeof v === "string") return `~'${jsurlString(v)}`;
  if (typeof v === "number") return Number.isFinite(v) ? `~${v}` : "~null";
  if (typeof v === "boolean") return `~${v}`;
  if (Array.isArray(v)) return `~(${(v as ReadonlyArray<Jsurl>).map(toJsurl).join("") || "~"})`;
  return `~(${Object.entries(v as { readonly [k: string]: Jsurl }).map(([k, x]) => jsurlString(k) + toJsurl(x)).join("~")})`;
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export const isRegion = (region: string): boolean => REGION.test(region);

export interface InsightsLinkRequest {
  readonly region: string;
  readonly groups: ReadonlyArray<string>;
  readonly query: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A CloudWatch console link that opens Logs Insights with the query, the log groups and the
 * absolute time range filled in. The fragment is the console's own encoding: the route's
 * `?queryDetail=` percent-encoded with `$` for `%`, its value JSURL.
 */
export const insightsLink = (r: InsightsLinkRequest): string | undefined => {
  if (!isRegion(r.region) || r.groups.length === 0 || !(r.start <= r.end)) return undefined;
  const detail = toJsurl({
    end: new Date(r.end).toISOString(),
    start: new Date(r.start).toISOString(),
    timeType: "ABSOLUTE",
    tz: "UTC",
    editorString: r.query,
    source: [...r.groups]
  });
  const fragment = `logs-insights${encodeURIComponent("?queryDetail=" + detail).replace(/%/g, "$")}`;
  return `https://${r.region}.console.aws.amazon.com/cloudwatch/home?region=${r.region}#logsV2:${fragment}`;
};
