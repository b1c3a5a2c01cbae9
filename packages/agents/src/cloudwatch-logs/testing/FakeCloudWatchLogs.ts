import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A CloudWatch Logs endpoint on 127.0.0.1 speaking the service's AWS JSON 1.1 protocol
 * (`X-Amz-Target: Logs_20140328.<Operation>`), for what moto cannot do: evaluate Logs Insights
 * queries (the subset this agent sends: fields, filter … like /re/, stats count(*) / sum(strlen())
 * by @log, sort, limit; anything else is a MalformedQueryException as on AWS), keep a query
 * running, and fail on demand (AccessDenied, throttling, slow answers).
 */

export interface FakeEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly stream?: string;
}

export type Operation = "DescribeLogGroups" | "FilterLogEvents" | "StartQuery" | "GetQueryResults" | "StopQuery";

interface Fault {
  readonly type: string;
  readonly message: string;
  readonly status: number;
  remaining: number;
}

interface Query {
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly matched: number;
  readonly scanned: number;
  polls: number;
  status: "Running" | "Complete" | "Cancelled";
}

export interface QueryBehaviour {
  /** GetQueryResults answers `Running` this many times before `Complete` (default 0). */
  readonly runningPolls?: number;
  /** The query never completes (a hung query). */
  readonly neverCompletes?: boolean;
  /** Rows shown while running (default half of them). */
  readonly partialRows?: number;
}

export const FAKE_ACCOUNT = "123456789012";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** Insights' own rendering of `@timestamp`. */
const insightsTime = (t: number) => {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
};

class MalformedQuery extends Error {}

/** Splits a query into its `|`-separated commands, leaving `|` inside /regex/ and quotes alone. */
const commandsOf = (query: string): Array<string> => {
  const out: Array<string> = [];
  let current = "";
  let mode: "code" | "regex" | "dq" | "sq" = "code";
  for (let i = 0; i < query.length; i++) {
    const ch = query[i]!;
    if (mode !== "code") {
      current += ch;
      if (ch === "\\") current += query[++i] ?? "";
      else if ((mode === "regex" && ch === "/") || (mode === "dq" && ch === '"') || (mode === "sq" && ch === "'")) mode = "code";
      continue;
    }
    if (ch === "|") {
      out.push(current.trim());
      current = "";
      continue;
    }
    if (ch === "/" && /\blike\s*$/.test(current)) mode = "regex";
    else if (ch === '"') mode = "dq";
    else if (ch === "'") mode = "sq";
    current += ch;
  }
  if (mode !== "code") throw new MalformedQuery("unterminated literal");
  out.push(current.trim());
  return out.filter((c) => c !== "");
};

interface Row {
  readonly [field: string]: string | number;
}

const regexOf = (literal: string): RegExp => {
  const m = /^\/(.*)\/$/s.exec(literal);
  if (m !== null) {
    const body = m[1]!;
    const insensitive = body.startsWith("(?i)");
    return new RegExp(insensitive ? body.slice(4) : body, insensitive ? "i" : "");
  }
  const q = /^"(.*)"$|^'(.*)'$/s.exec(literal);
  if (q !== null) return new RegExp((q[1] ?? q[2] ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  throw new MalformedQuery(`expected a /regex/ or a string after like, got ${literal}`);
};

/** Evaluates the supported subset of the Logs Insights query language over the events. */
const evaluate = (query: string, events: ReadonlyArray<Row>, limitParam: number | undefined): { rows: Array<Record<string, string>>; matched: number } => {
  let rows: Array<Row> = [...events];
  let fields: Array<string> | undefined;
  let limit = limitParam ?? 10_000;
  let aggregated = false;
  for (const command of commandsOf(query)) {
    const [verb = "", ...restParts] = command.split(/\s+/);
    const rest = command.slice(verb.length).trim();
    switch (verb.toLowerCase()) {
      case "fields":
        fields = rest.split(",").map((f) => f.trim());
        break;
      case "filter": {
        const m = /^(@?[\w.]+)\s+like\s+(.+)$/s.exec(rest);
        if (m === null) throw new MalformedQuery(`unsupported filter: ${rest}`);
        const re = regexOf(m[2]!.trim());
        rows = rows.filter((r) => re.test(String(r[m[1]!] ?? "")));
        break;
      }
      case "sort": {
        const [field = "", order = "desc"] = restParts;
        const sign = order.toLowerCase() === "asc" ? 1 : -1;
        rows.sort((a, b) => {
          const x = a[field] ?? "";
          const y = b[field] ?? "";
          return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sign;
        });
        break;
      }
      case "limit":
        limit = Math.min(limit, Number(restParts[0]));
        if (!Number.isInteger(limit) || limit <= 0) throw new MalformedQuery(`bad limit: ${rest}`);
        break;
      case "stats": {
        const m = /^(.+?)\s+by\s+(@?[\w.]+)$/s.exec(rest);
        if (m === null) throw new MalformedQuery(`unsupported stats: ${rest}`);
        const aggregates = m[1]!.split(/,(?![^(]*\))/).map((a) => {
          const am = /^\s*(count\(\*\)|sum\(strlen\(@message\)\))\s+as\s+(\w+)\s*$/.exec(a);
          if (am === null) throw new MalformedQuery(`unsupported aggregate: ${a}`);
          return { fn: am[1]!, as: am[2]! };
        });
        const by = m[2]!;
        const buckets = new Map<string, Record<string, string | number>>();
        for (const r of rows) {
          const key = String(r[by] ?? "");
          const bucket = buckets.get(key) ?? { [by]: key, ...Object.fromEntries(aggregates.map((a) => [a.as, 0])) };
          for (const a of aggregates) bucket[a.as] = Number(bucket[a.as]) + (a.fn === "count(*)" ? 1 : String(r["@message"] ?? "").length);
          buckets.set(key, bucket);
        }
        rows = [...buckets.values()];
        fields = [by, ...aggregates.map((a) => a.as)];
        aggregated = true;
        break;
      }
      default:
        throw new MalformedQuery(`unsupported command: ${verb}`);
    }
  }
  const matched = rows.length;
  const shown = rows.slice(0, limit).map((r) => {
    const out: Record<string, string> = {};
    for (const f of fields ?? ["@timestamp", "@message"]) {
      const v = r[f];
      if (v !== undefined) out[f] = f === "@timestamp" && typeof v === "number" ? insightsTime(v) : String(v);
    }
    if (!aggregated && r["@ptr"] !== undefined) out["@ptr"] = String(r["@ptr"]);
    return out;
  });
  return { rows: shown, matched };
};

/** A FilterLogEvents pattern: `?a ?b` (any of) or `a b` (all of) terms; an empty pattern matches everything. */
const matchesFilterPattern = (pattern: string | undefined, message: string): boolean => {
  const terms = (pattern ?? "").trim().split(/\s+/).filter((t) => t !== "");
  if (terms.length === 0) return true;
  const optional = terms.filter((t) => t.startsWith("?")).map((t) => t.slice(1));
  const required = terms.filter((t) => !t.startsWith("?")).map((t) => t.replace(/^"|"$/g, ""));
  return required.every((t) => message.includes(t)) && (optional.length === 0 || optional.some((t) => message.includes(t)));
};

export class FakeCloudWatchLogs {
  readonly groups = new Map<string, { storedBytes: number; events: Array<FakeEvent> }>();
  /** Every request, in order: operation and JSON body. */
  readonly calls: Array<{ readonly operation: string; readonly body: Record<string, unknown> }> = [];
  readonly queries = new Map<string, Query>();
  queryBehaviour: QueryBehaviour = {};
  /** Most events per FilterLogEvents page (AWS stops at 10,000 events or 1 MB). */
  filterPageSize = 10_000;
  private readonly faults = new Map<string, Fault>();
  private readonly delays = new Map<string, { readonly ms: number; readonly when: (body: Record<string, unknown>) => boolean }>();
  private nextQuery = 0;

  addGroup(name: string, events: ReadonlyArray<FakeEvent> = []): this {
    const group = this.groups.get(name) ?? { storedBytes: 0, events: [] };
    group.events.push(...events);
    group.storedBytes += events.reduce((s, e) => s + e.message.length, 0);
    this.groups.set(name, group);
    return this;
  }

  /** Makes `operation` fail with an AWS error type (e.g. `AccessDeniedException`), `times` times or always. */
  fail(operation: Operation, type: string, message = `${type} from the fake`, times = Number.POSITIVE_INFINITY, status = 400): this {
    this.faults.set(operation, { type, message, status, remaining: times });
    return this;
  }

  /** Delays the answers to `operation` (a slow or hung service), or only those to requests `when` selects. */
  delay(operation: Operation, ms: number, when: (body: Record<string, unknown>) => boolean = () => true): this {
    this.delays.set(operation, { ms, when });
    return this;
  }

  count(operation: Operation): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  private handle(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case "DescribeLogGroups": {
        const prefix = typeof body["logGroupNamePrefix"] === "string" ? body["logGroupNamePrefix"] : "";
        const limit = typeof body["limit"] === "number" ? body["limit"] : 50;
        const names = [...this.groups.keys()].filter((n) => n.startsWith(prefix)).sort();
        const from = typeof body["nextToken"] === "string" ? Number(body["nextToken"]) : 0;
        const page = names.slice(from, from + limit);
        return {
          logGroups: page.map((n) => ({ logGroupName: n, arn: `arn:aws:logs:us-east-1:${FAKE_ACCOUNT}:log-group:${n}:*`, storedBytes: this.groups.get(n)?.storedBytes ?? 0, creationTime: 0 })),
          ...(from + limit < names.length ? { nextToken: String(from + limit) } : {})
        };
      }
      case "FilterLogEvents": {
        const name = String(body["logGroupName"] ?? "");
        const group = this.groups.get(name);
        if (group === undefined) throw Object.assign(new Error("The specified log group does not exist."), { type: "ResourceNotFoundException" });
        const start = typeof body["startTime"] === "number" ? body["startTime"] : 0;
        const end = typeof body["endTime"] === "number" ? body["endTime"] : Number.MAX_SAFE_INTEGER;
        const pattern = typeof body["filterPattern"] === "string" ? body["filterPattern"] : undefined;
        const limit = Math.min(this.filterPageSize, typeof body["limit"] === "number" ? body["limit"] : 10_000);
        const matching = group.events.filter((e) => e.timestamp >= start && e.timestamp <= end && matchesFilterPattern(pattern, e.message)).sort((a, b) => a.timestamp - b.timestamp);
        const from = typeof body["nextToken"] === "string" ? Number(body["nextToken"]) : 0;
        const page = matching.slice(from, from + limit);
        return {
          events: page.map((e, i) => ({ logStreamName: e.stream ?? "stream", timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp, eventId: String(from + i) })),
          searchedLogStreams: [],
          ...(from + limit < matching.length ? { nextToken: String(from + limit) } : {})
        };
      }
      case "StartQuery": {
        const names = Array.isArray(body["logGroupNames"]) ? (body["logGroupNames"] as Array<unknown>).map(String) : [String(body["logGroupName"] ?? "")];
        for (const n of names) if (!this.groups.has(n)) throw Object.assign(new Error(`Log group ${n} does not exist`), { type: "ResourceNotFoundException" });
        const start = Number(body["startTime"]) * 1000;
        const end = Number(body["endTime"]) * 1000;
        const rows: Array<Row> = names.flatMap((n) =>
          (this.groups.get(n)?.events ?? [])
            .filter((e) => e.timestamp >= start && e.timestamp <= end)
            .map((e, i) => ({ "@timestamp": e.timestamp, "@message": e.message, "@logStream": e.stream ?? "stream", "@log": `${FAKE_ACCOUNT}:${n}`, "@ptr": `${n}/${i}` }))
        );
        let evaluated: ReturnType<typeof evaluate>;
        try {
          evaluated = evaluate(String(body["queryString"] ?? ""), rows, typeof body["limit"] === "number" ? body["limit"] : undefined);
        } catch (e) {
          throw Object.assign(new Error(e instanceof Error ? e.message : String(e)), { type: e instanceof MalformedQuery ? "MalformedQueryException" : "InvalidParameterException" });
        }
        const queryId = `q-${++this.nextQuery}`;
        this.queries.set(queryId, { rows: evaluated.rows, matched: evaluated.matched, scanned: rows.length, polls: 0, status: "Running" });
        return { queryId };
      }
      case "GetQueryResults": {
        const q = this.queries.get(String(body["queryId"] ?? ""));
        if (q === undefined) throw Object.assign(new Error("unknown query"), { type: "ResourceNotFoundException" });
        q.polls++;
        const b = this.queryBehaviour;
        if (q.status === "Running" && !b.neverCompletes && q.polls > (b.runningPolls ?? 0)) q.status = "Complete";
        const rows = q.status === "Complete" ? q.rows : q.rows.slice(0, b.partialRows ?? Math.floor(q.rows.length / 2));
        return {
          status: q.status,
          results: rows.map((r) => Object.entries(r).map(([field, value]) => ({ field, value }))),
          statistics: { recordsMatched: q.status === "Complete" ? q.matched : rows.length, recordsScanned: q.scanned, bytesScanned: 0 }
        };
      }
      case "StopQuery": {
        const q = this.queries.get(String(body["queryId"] ?? ""));
        if (q === undefined) throw Object.assign(new Error("unknown query"), { type: "ResourceNotFoundException" });
        const success = q.status === "Running";
        if (success) q.status = "Cancelled";
        return { success };
      }
      default:
        throw Object.assign(new Error(`${operation} is not implemented by the fake`), { type: "UnknownOperationException" });
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Array<Buffer> = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("Logs_20140328.") ? target.slice("Logs_20140328.".length) : "";
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `req-${this.calls.length}` });
      res.end(JSON.stringify(payload));
    };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      send(400, { __type: "SerializationException", message: "body is not JSON" });
      return;
    }
    this.calls.push({ operation, body });
    const wait = this.delays.get(operation);
    if (wait !== undefined && wait.when(body)) await new Promise((r) => setTimeout(r, wait.ms));
    const fault = this.faults.get(operation);
    if (fault !== undefined && fault.remaining > 0) {
      fault.remaining--;
      send(fault.status, { __type: fault.type, message: fault.message });
      return;
    }
    try {
      send(200, this.handle(operation, body));
    } catch (e) {
      send(400, { __type: (e as { type?: string }).type ?? "InvalidParameterException", message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Listens on 127.0.0.1 on a port the OS picks. */
  async start(): Promise<{ readonly endpoint: string; readonly close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        })
    };
  }
}
