/**
 * Deterministic log lines of a payments outage: the API cannot reach its database (connection
 * refused dominates), with timeouts, a few exceptions, and healthy INFO traffic around them.
 * Used by tests and `bench/cloudwatch-logs.ts`.
 */
export interface SyntheticLine {
  readonly timestamp: number;
  readonly message: string;
  readonly stream: string;
}

const lcg = (seed: number) => {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
};

const hex = (rand: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
const uuid = (rand: () => number) => `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-8${hex(rand, 3)}-${hex(rand, 12)}`;

export interface SyntheticOptions {
  readonly lines: number;
  readonly start: number;
  readonly end: number;
  /** Share of error lines (default 0.7); the rest is INFO traffic. */
  readonly errorShare?: number;
  readonly seed?: number;
}

export const paymentsOutageLines = (o: SyntheticOptions): Array<SyntheticLine> => {
  const rand = lcg(o.seed ?? 42);
  const pods = ["api-7d9f8b6c5-x2x9z", "api-7d9f8b6c5-kq7wd", "api-7d9f8b6c5-p4m2n"];
  const out: Array<SyntheticLine> = [];
  for (let i = 0; i < o.lines; i++) {
    const timestamp = Math.floor(o.start + ((o.end - o.start) * i) / Math.max(1, o.lines));
    const pod = pods[Math.floor(rand() * pods.length)]!;
    const stream = `${pod}_payments_api-${hex(rand, 16)}`;
    const iso = new Date(timestamp).toISOString();
    const req = uuid(rand);
    const r = rand();
    let message: string;
    if (r >= (o.errorShare ?? 0.7)) message = `${iso} INFO request ${req} GET /v1/payments/${Math.floor(rand() * 1e6)} 200 in ${Math.floor(rand() * 90)}ms`;
    else {
      const e = rand();
      if (e < 0.78) message = `${iso} ERROR pq: dial tcp 10.0.3.17:5432: connect: connection refused (request ${req}, attempt ${1 + Math.floor(rand() * 3)})`;
      else if (e < 0.9) message = `${iso} ERROR upstream ledger-svc.payments.svc:8080 timeout after ${1000 + Math.floor(rand() * 4000)}ms request_id=${req}`;
      else if (e < 0.95) message = JSON.stringify({ level: "error", ts: iso, msg: `payment ${Math.floor(rand() * 1e8)} failed: insufficient funds`, trace_id: hex(rand, 32) });
      else if (e < 0.99) message = `${iso} WARN retrying job ${hex(rand, 12)} after exception java.lang.IllegalStateException: pool closed at 0x${hex(rand, 8)}`;
      else message = `${iso} FATAL panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV code=0x1 addr=0x${hex(rand, 4)} pc=0x${hex(rand, 6)}]`;
    }
    out.push({ timestamp, message, stream });
  }
  return out;
};
