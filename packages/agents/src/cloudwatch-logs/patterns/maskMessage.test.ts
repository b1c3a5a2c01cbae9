import { describe, expect, it } from "vitest";
import { groupPatterns } from "./groupPatterns.js";
import { maskMessage, messageText } from "./maskMessage.js";

describe("maskMessage", () => {
  it.each([
    ["2026-04-02T09:30:00.123Z ERROR pq: dial tcp 10.0.3.17:5432: connect: connection refused", "<ts> ERROR pq: dial tcp <ip>:<num>: connect: connection refused"],
    ["Apr  2 09:30:00 ip-10-0-3-77 kernel: Out of memory: Killed process 4242 (java)", "<ts> ip-<num>-<num>-<num>-<num> kernel: Out of memory: Killed process <num> (java)"],
    ['user "alice@example.com" denied for table \'orders\'', 'user "<str>" denied for table \'<str>\''],
    ["request 3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f failed after 250ms", "request <uuid> failed after <num>ms"],
    ["segfault at 0x7ffd2c3a addr deadbeef00112233", "segfault at <hex> addr <hex>"],
    ["pod api-7d9f8b6c5-x2x9z OOMKilled trace=Root1abc2def3", "pod api-<pod> OOMKilled trace=<id>"],
    ["read-timeout-retry exhausted", "read-timeout-retry exhausted"],
    ['{"level":"error","msg":"payment 1234 failed","ts":"2026-04-02T09:30:00Z"}', "ERROR payment <num> failed"],
    ['{"log":"2026-04-02T09:30:00Z ERROR upstream timeout\\n","stream":"stderr","kubernetes":{"pod_name":"api-1"}}', "<ts> ERROR upstream timeout"]
  ])("%s → %s", (line, pattern) => {
    expect(maskMessage(line)).toBe(pattern);
  });

  it("reads structured lines' message field, keeping JSON without one whole", () => {
    expect(messageText('{"message":"boom","level":"fatal"}')).toBe("FATAL boom");
    expect(messageText('{"a":1}')).toBe('{"a":1}');
    expect(messageText("{not json}")).toBe("{not json}");
  });

  it("redacts a secret before masking or cutting it: neither a pattern nor a cut exemplar keeps a part of it", () => {
    const key = "AKIAQ3EGV7EXAMPL3K3Y";
    expect(maskMessage(`ERROR sts denied for ${key} in eu-west-1`)).not.toMatch(/AKIA|Q3EGV/);
    for (const at of [180, 190, 195]) {
      const [p] = groupPatterns([{ group: "/ecs/api", message: `ERROR ${"a".repeat(at)} ${key}` }], { exemplarChars: 200 });
      expect(p!.exemplars[0]).not.toMatch(/AKIAQ/);
    }
  });

  it("10,000 lines of one outage become a handful of patterns", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => ({
      group: "/ecs/api",
      timestamp: 1_775_122_200_000 + i * 100,
      message:
        i % 10 < 7
          ? `${new Date(1_775_122_200_000 + i * 100).toISOString()} ERROR dial tcp 10.0.${i % 250}.${i % 7}:5432: connect: connection refused req=${(i * 7919).toString(36)}x${i}`
          : i % 10 < 9
            ? `ERROR timeout after ${i % 5000}ms calling ledger-${i % 3}.svc:8080 id=${i.toString(16).padStart(12, "a")}`
            : `FATAL panic at 0x${(i * 31).toString(16)}`
    }));
    const patterns = groupPatterns(lines);
    expect(patterns.map((p) => p.count)).toEqual([7_000, 2_000, 1_000]);
    expect(patterns[0]!.firstSeen).toBe(1_775_122_200_000);
    expect(patterns[0]!.exemplars[0]).toContain("10.0.0.0:5432");
  });
});
