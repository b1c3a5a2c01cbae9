import { Effect } from "effect";
import type { DedupStoreShape } from "../ports/DedupStore.js";
import { check, checkEqual, type ContractCase, withResource } from "./contract.js";

export interface DedupStoreHarness {
  /** A fresh, empty store whose notion of time is `now()`. */
  readonly make: (now: () => number) => Promise<{ readonly store: DedupStoreShape; readonly close?: () => Promise<void> }>;
}

export const dedupStoreContract = (harness: DedupStoreHarness): ReadonlyArray<ContractCase> => {
  const fixedClock = () => {
    let t = 1_700_000_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };
  const withStore = (body: (store: DedupStoreShape, clock: ReturnType<typeof fixedClock>) => Promise<void>) => {
    const clock = fixedClock();
    return withResource(() => harness.make(clock.now), ({ store }) => body(store, clock));
  };
  const run = Effect.runPromise;

  return [
    {
      name: "DedupStore: the first put claims a key and later puts see the winner's value",
      run: () =>
        withStore(async (store) => {
          const first = await run(store.putIfAbsent("slack:C1:1700.1", "inv-a", 3600));
          checkEqual(first, { claimed: true }, "first put");
          const second = await run(store.putIfAbsent("slack:C1:1700.1", "inv-b", 3600));
          checkEqual(second, { claimed: false, existing: "inv-a" }, "second put");
          checkEqual(await run(store.get("slack:C1:1700.1")), "inv-a", "stored value");
        })
    },
    {
      name: "DedupStore: exactly one of 50 concurrent puts of the same key claims it",
      run: () =>
        withStore(async (store) => {
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) => run(store.putIfAbsent("am:fp1:2024-01-01T00:00:00Z", `inv-${i}`, 3600)))
          );
          const winners = results.filter((r) => r.claimed);
          checkEqual(winners.length, 1, "number of claims");
          const winnerValue = await run(store.get("am:fp1:2024-01-01T00:00:00Z"));
          check(winnerValue !== undefined, "the winner's value is stored");
          for (const r of results) if (!r.claimed) checkEqual(r.existing, winnerValue, "losers see the winner's value");
        })
    },
    {
      name: "DedupStore: different keys are independent",
      run: () =>
        withStore(async (store) => {
          const a = await run(store.putIfAbsent("k:a", "1", 60));
          const b = await run(store.putIfAbsent("k:b", "2", 60));
          check(a.claimed && b.claimed, "both distinct keys are claimed");
          checkEqual(await run(store.get("k:missing")), undefined, "unknown key");
        })
    },
    {
      name: "DedupStore: a key can be claimed again once its TTL has passed",
      run: () =>
        withStore(async (store, clock) => {
          check((await run(store.putIfAbsent("k:ttl", "old", 10))).claimed, "first claim");
          clock.advance(9_000);
          check(!(await run(store.putIfAbsent("k:ttl", "early", 10))).claimed, "still claimed before the TTL");
          clock.advance(2_000);
          checkEqual(await run(store.get("k:ttl")), undefined, "expired key reads as absent");
          check((await run(store.putIfAbsent("k:ttl", "new", 10))).claimed, "claimed again after the TTL");
          checkEqual(await run(store.get("k:ttl")), "new", "new value");
        })
    },
    {
      name: "DedupStore: put replaces the value and keeps the key claimed",
      run: () =>
        withStore(async (store) => {
          await run(store.putIfAbsent("k:thread", "pending", 60));
          await run(store.put("k:thread", "C1/1700.2", 60));
          checkEqual(await run(store.get("k:thread")), "C1/1700.2", "replaced value");
          checkEqual(await run(store.putIfAbsent("k:thread", "x", 60)), { claimed: false, existing: "C1/1700.2" }, "still claimed");
        })
    },
    {
      name: "DedupStore: keys with unusual characters round-trip",
      run: () =>
        withStore(async (store) => {
          const key = 'grafana:{alertname="High 5xx"}:ü/😀#%';
          check((await run(store.putIfAbsent(key, "v", 60))).claimed, "claimed");
          checkEqual(await run(store.get(key)), "v", "value");
        })
    }
  ];
};
