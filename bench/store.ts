/**
 * Throughput and latency of the embedded store with fsync on every commit.
 *
 *   node --import tsx bench/store.ts [directory]
 *
 * The directory defaults to a temporary one; point it at the disk the local server will use,
 * since a tmpfs makes fsync free and the numbers meaningless.
 */
import { mkdtemp, rm, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddedStore } from "@sre-on-call/adapters/store/embedded/index";

const TMPFS_MAGIC = 0x01021994;
const SEQUENTIAL = 2_000;
const CONCURRENT_TOTAL = 20_000;
const IN_FLIGHT = 64;
const READS = 200_000;
const SAME_KEY = 50;

const percentile = (sorted: ReadonlyArray<number>, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const report = (label: string, latencies: Array<number>, elapsedMs: number, extra = "") => {
  latencies.sort((a, b) => a - b);
  const opsPerSecond = Math.round((latencies.length / elapsedMs) * 1000);
  console.log(
    `${label.padEnd(44)} ${String(opsPerSecond).padStart(9)} ops/s   p50 ${percentile(latencies, 50).toFixed(3)} ms   p99 ${percentile(latencies, 99).toFixed(3)} ms${extra}`
  );
};

const timed = async <A>(latencies: Array<number>, op: () => Promise<A>): Promise<A> => {
  const start = performance.now();
  const result = await op();
  latencies.push(performance.now() - start);
  return result;
};

const main = async () => {
  const given = process.argv[2];
  const directory = given ?? (await mkdtemp(join(tmpdir(), "store-bench-")));
  if ((await statfs(tmpdir())).type === TMPFS_MAGIC && given === undefined) console.warn("warning: the temporary directory is on tmpfs, where fsync costs nothing");
  const store = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
  const claims = store.table<string>("dedup");
  try {
    console.log(`embedded store in ${directory}, fsync on every commit, Node ${process.version}\n`);

    const sequential: Array<number> = [];
    let start = performance.now();
    for (let i = 0; i < SEQUENTIAL; i++) await timed(sequential, () => claims.putIfAbsent(`seq:${i}`, `inv-${i}`, { ttlMs: 3_600_000 }));
    report(`putIfAbsent, one at a time (${SEQUENTIAL})`, sequential, performance.now() - start);

    const concurrent: Array<number> = [];
    const commitsBefore = store.stats().commits;
    let next = 0;
    start = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CONCURRENT_TOTAL) {
          const i = next++;
          await timed(concurrent, () => claims.putIfAbsent(`con:${i}`, `inv-${i}`, { ttlMs: 3_600_000 }));
        }
      })
    );
    const commits = store.stats().commits - commitsBefore;
    report(`putIfAbsent, ${IN_FLIGHT} in flight (${CONCURRENT_TOTAL})`, concurrent, performance.now() - start, `   ${(CONCURRENT_TOTAL / commits).toFixed(1)} writes per fsync`);

    const sameKey: Array<number> = [];
    start = performance.now();
    const results = await Promise.all(Array.from({ length: SAME_KEY }, (_, i) => timed(sameKey, () => claims.putIfAbsent("am:fp1:2024-01-01T00:00:00Z", `inv-${i}`))));
    report(`putIfAbsent, ${SAME_KEY} concurrent on one key`, sameKey, performance.now() - start, `   ${results.filter((r) => r.claimed).length} claim`);

    const reads: Array<number> = [];
    start = performance.now();
    for (let i = 0; i < READS; i++) await timed(reads, () => claims.get(`con:${i % CONCURRENT_TOTAL}`));
    report(`get of durable keys (${READS})`, reads, performance.now() - start);

    start = performance.now();
    await store.compact();
    console.log(`compact ${store.stats().records} records`.padEnd(45), `${(performance.now() - start).toFixed(0)} ms   snapshot ${store.stats().snapshotBytes} bytes`);

    await claims.putIfAbsent("after-compaction", "x");
    await store.close();
    start = performance.now();
    const reopened = await EmbeddedStore.open({ directory, compactEveryMs: 0 });
    console.log("open (snapshot + log replay)".padEnd(45), `${(performance.now() - start).toFixed(0)} ms   ${reopened.stats().records} records`);
    await reopened.close();
  } finally {
    await store.close();
    if (given === undefined) await rm(directory, { recursive: true, force: true });
  }
};

await main();
