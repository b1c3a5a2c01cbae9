import { describe, expect, it } from "vitest";
import { makeAlert } from "../../eks/testing/makeAlert.js";
import { describeAwsError } from "../source/describeAwsError.js";
import { detectCause } from "./detectCause.js";
import { candidatePrefixes, rankLogGroups, searchTerms, workloadOfPod } from "./discoverLogGroups.js";
import { insightsLink, toJsurl } from "./insightsLink.js";
import { ERROR_LINE, patternQuery } from "./queries.js";

const T = Date.parse("2026-04-02T09:30:00Z");

describe("log group discovery", () => {
  const alert = makeAlert({ labels: { alertname: "KubePodCrashLooping", namespace: "payments", pod: "api-7d9f8b6c5-x2x9z", cluster: "prod" }, at: T });
  const groups = [
    "/aws/containerinsights/prod/application",
    "/aws/containerinsights/prod/performance",
    "/aws/containerinsights/staging/application",
    "/ecs/payments-api",
    "/ecs/api",
    "/aws/lambda/capital-gains",
    "/aws/lambda/payments-reconciler",
    "/aws/eks/prod/cluster"
  ].map((name, i) => ({ name, storedBytes: i }));

  it("derives terms and conventional prefixes from entities", () => {
    expect(workloadOfPod("api-7d9f8b6c5-x2x9z")).toBe("api");
    expect(workloadOfPod("db-0")).toBe("db");
    expect(workloadOfPod("backup-28531234-abcde")).toBe("backup");
    expect(searchTerms(alert).map((t) => `${t.from}=${t.term}`)).toEqual(["pod=api", "namespace=payments", "cluster=prod"]);
    expect(candidatePrefixes(alert)).toEqual(["/aws/eks/prod/", "/aws/containerinsights/prod/application", "/ecs/api", "/aws/lambda/api", "/aws/ecs/api"]);
  });

  it("ranks by whole-word matches, caps, and never includes a group matching nothing", () => {
    const ranked = rankLogGroups(groups, searchTerms(alert), { limit: 5, prefixes: candidatePrefixes(alert), named: [] });
    expect(ranked.map((g) => [g.name, g.score])).toEqual([
      ["/ecs/payments-api", 7],
      ["/ecs/api", 5],
      // Equal scores: the bigger group first.
      ["/aws/eks/prod/cluster", 3],
      ["/aws/lambda/payments-reconciler", 3],
      ["/aws/containerinsights/prod/application", 3]
    ]);
    expect(ranked.map((g) => g.name)).not.toContain("/aws/lambda/capital-gains");
    expect(ranked.map((g) => g.name)).not.toContain("/aws/containerinsights/staging/application");
  });

  it("a group the alert names outright comes first; an unknown one is not invented", () => {
    const named = makeAlert({ labels: { alertname: "Errors", log_group: "/aws/lambda/capital-gains" }, at: T });
    const ranked = rankLogGroups(groups, searchTerms(named), { limit: 5, prefixes: candidatePrefixes(named), named: ["/aws/lambda/capital-gains", "/does/not/exist"] });
    expect(ranked.map((g) => g.name)).toEqual(["/aws/lambda/capital-gains"]);
  });
});

describe("Logs Insights console links", () => {
  it("JSURL-encodes the state as the console does", () => {
    expect(toJsurl({ a: "x y/z", b: ["p", "q"], c: 1, d: true })).toBe("~(a~'x*20y*2fz~b~(~'p~'q)~c~1~d~true)");
    expect(toJsurl("$é€")).toBe("~'!*e9**20ac");
  });

  it("builds an absolute-range link for the groups and query, only for a real region", () => {
    const link = insightsLink({ region: "eu-west-1", groups: ["/ecs/api"], query: "fields @message | limit 5", start: T - 60_000, end: T });
    expect(link).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D~(end~'2026-04-02T09*3a30*3a00.000Z~start~'2026-04-02T09*3a29*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC~editorString~'fields*20*40message*20*7c*20limit*205~source~(~'*2fecs*2fapi))"
    );
    expect(insightsLink({ region: "evil.com/x?", groups: ["/a"], query: "q", start: 0, end: 1 })).toBeUndefined();
    expect(insightsLink({ region: "us-east-1", groups: [], query: "q", start: 0, end: 1 })).toBeUndefined();
  });

  it("a pattern's query matches its exemplar and escapes regex syntax", () => {
    const q = patternQuery("<ts> ERROR upstream ledger.svc:<num> timeout (code <num>)", "2026 ERROR upstream ledger.svc:8080 timeout (code 7)");
    expect(q).toContain("filter @message like /ERROR upstream ledger\\.svc:/");
    const fallback = patternQuery("<num>", "42");
    expect(fallback).toContain("filter @message like /(?i)(error|");
    expect(ERROR_LINE.test("Connection REFUSED")).toBe(true);
    expect(ERROR_LINE.test("all good")).toBe(false);
  });
});

describe("causes named by log lines", () => {
  it.each([
    ["pq: dial tcp 10.0.3.17:5432: connect: connection refused", "Connections to 10.0.3.17:5432 are refused"],
    ["Error: connect ECONNREFUSED 172.20.91.7:6379", "Connections to 172.20.91.7:6379 are refused"],
    ["failed to connect to payments-db:5432: Connection refused", "Connections to payments-db:5432 are refused"],
    ["write /data/wal: no space left on device", "A disk is full (no space left on device)"],
    ["java.lang.OutOfMemoryError: Java heap space", "The process runs out of memory"],
    ["dial tcp: lookup ledger.payments.svc on 172.20.0.10:53: no such host", "ledger.payments.svc does not resolve (DNS)"],
    ["User: arn:aws:sts::1:assumed-role/x is not authorized to perform: s3:GetObject on resource", "Calls are denied permission for s3:GetObject"],
    ["context deadline exceeded calling ledger-svc:8080", "Calls to ledger-svc:8080 time out"],
    ["FATAL: remaining connection slots are reserved", "Connections are exhausted (pool or server limit)"]
  ])("%s", (line, title) => {
    expect(detectCause(line)?.title).toBe(title);
  });

  it("an error that names no cause proposes none", () => {
    expect(detectCause("ERROR payment 42 failed: insufficient funds")).toBeUndefined();
  });
});

describe("AWS errors", () => {
  it.each([
    [{ name: "AccessDeniedException", message: "not authorized", $metadata: { httpStatusCode: 400 } }, "access-denied"],
    [{ name: "ThrottlingException", message: "Rate exceeded" }, "throttled"],
    [{ name: "LimitExceededException", message: "too many queries" }, "throttled"],
    [{ name: "ResourceNotFoundException", message: "gone" }, "not-found"],
    [{ name: "MalformedQueryException", message: "bad" }, "invalid"],
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), "unreachable"],
    [{ name: "Weird", message: "?", $metadata: { httpStatusCode: 403 } }, "access-denied"],
    ["a string", "failed"]
  ])("%o → %s", (error, reason) => {
    const e = describeAwsError("Op", error);
    expect(e.reason).toBe(reason);
    expect(e.message).toMatch(/^Op: /);
  });
});
