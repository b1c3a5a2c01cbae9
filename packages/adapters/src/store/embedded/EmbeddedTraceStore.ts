import type { InvestigationReport, TraceEvent, TraceHeader, TraceStoreShape } from "@sre-on-call/core";
import { TraceError } from "@sre-on-call/core";
import { Option } from "effect";
import { attemptStore } from "./attemptStore.js";
import type { EmbeddedStore, Transaction } from "./EmbeddedStore.js";

export interface EmbeddedTraceStoreOptions {
  /** Prefix of the store's table names. Default `trace`. */
  readonly tablePrefix?: string;
}

/** Key parts are URI-encoded so a `/` inside a channel or thread id cannot shift the layout. */
const part = encodeURIComponent;
const STARTED_AT_DIGITS = 16;

/**
 * Traces in the embedded store, in four tables: headers by investigation id; events and
 * reports under `<id>/<sequence>` so they read back in append order; and a thread index
 * `<channel>/<thread>/<startedAt>/<id>` so a thread's investigations come out oldest first.
 */
export const makeEmbeddedTraceStore = (store: EmbeddedStore, options: EmbeddedTraceStoreOptions = {}): TraceStoreShape => {
  const prefix = options.tablePrefix ?? "trace";
  const tables = (tx: Transaction) => ({
    headers: tx.table<TraceHeader>(`${prefix}-headers`),
    events: tx.table<TraceEvent>(`${prefix}-events`),
    reports: tx.table<InvestigationReport>(`${prefix}-reports`),
    threads: tx.table<string>(`${prefix}-threads`)
  });
  const attempt = attemptStore((operation, reason) => new TraceError({ operation, reason }));
  const threadPrefix = (channelId: string, threadId: string) => `${part(channelId)}/${part(threadId)}/`;

  return {
    open: (header) =>
      attempt("open", () =>
        store.transact((tx) => {
          const t = tables(tx);
          const startedAt = String(Math.floor(header.startedAt)).padStart(STARTED_AT_DIGITS, "0");
          // Header and thread index go in one transaction, so a crash cannot leave an investigation its thread cannot find.
          if (t.headers.putIfAbsent(part(header.investigationId), header).claimed) {
            t.threads.put(`${threadPrefix(header.channelId, header.threadId)}${startedAt}/${part(header.investigationId)}`, header.investigationId);
          }
        })
      ),
    append: (event) =>
      attempt("append", () =>
        store.transact((tx) => {
          tables(tx).events.append(`${part(event.investigationId)}/`, event);
        })
      ),
    putReport: (report) =>
      attempt("putReport", () =>
        store.transact((tx) => {
          tables(tx).reports.append(`${part(report.investigationId)}/`, report);
        })
      ),
    get: (investigationId) =>
      attempt("get", () =>
        store.transact((tx) => {
          const t = tables(tx);
          const header = t.headers.get(part(investigationId));
          if (header === undefined) return Option.none();
          const id = `${part(investigationId)}/`;
          return Option.some({
            ...header,
            events: t.events.scan(id).map((e) => e.value),
            reports: t.reports.scan(id).map((e) => e.value)
          });
        })
      ),
    findByThread: (channelId, threadId) =>
      attempt("findByThread", () => store.transact((tx) => tables(tx).threads.scan(threadPrefix(channelId, threadId)).map((e) => e.value)))
  };
};
