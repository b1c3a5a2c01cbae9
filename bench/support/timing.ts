/** Timing helpers the benchmarks share. */

export const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export interface Timed<A> {
  readonly samples: ReadonlyArray<number>;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** What the last run returned. */
  readonly last: A;
}

/** Runs `f` `runs` times in a row (runs ≥ 1) and returns the wall times in ms and the last result. */
export const timeRuns = async <A>(runs: number, f: () => Promise<A>): Promise<Timed<A>> => {
  const samples: Array<number> = [];
  let last: A | undefined;
  for (let i = 0; i < Math.max(1, runs); i++) {
    const started = performance.now();
    last = await f();
    samples.push(performance.now() - started);
  }
  return { samples, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), last: last as A };
};

/** "median 12.3 ms, min 10.1 ms, max 15.0 ms over 5 runs" */
export const describeTimes = (t: Timed<unknown>): string =>
  `median ${t.median.toFixed(1)} ms, min ${t.min.toFixed(1)} ms, max ${t.max.toFixed(1)} ms over ${t.samples.length} runs`;
