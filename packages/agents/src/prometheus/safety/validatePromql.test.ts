import { Result } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REAL_ALERT_RULES, REFUSED_REAL_ALERT_RULES } from "../testing/realAlertRules.js";
import { validatePromql } from "./validatePromql.js";

const reasonOf = (expr: string): string | undefined => {
  const r = validatePromql(expr);
  return Result.isFailure(r) ? r.failure.reason : undefined;
};

describe("validatePromql", () => {
  it("has a real corpus of at least 30 alert expressions", () => {
    expect(REAL_ALERT_RULES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(REAL_ALERT_RULES.map((r) => r.source.split("@")[0])).size).toBeGreaterThanOrEqual(2);
  });

  it.each(REAL_ALERT_RULES.map((r) => [`${r.alert} (${r.source})`, r.expr] as const))("accepts the real rule %s", (_, expr) => {
    expect(reasonOf(expr)).toBeUndefined();
  });

  it.each(REFUSED_REAL_ALERT_RULES.map((r) => [`${r.alert} (${r.source})`, r.expr, r.reason] as const))("refuses the real rule %s, for a reason", (_, expr, reason) => {
    expect(reasonOf(expr)).toMatch(reason);
  });

  it("names the metrics an accepted expression reads", () => {
    const ok = validatePromql('sum(rate(http_requests_total{code=~"5.."}[5m])) / on() group_left sum(rate({__name__="http_requests_total"}[5m])) + count({__name__=~"up|node_load1"})');
    expect(Result.isSuccess(ok) && ok.success.metrics).toEqual(["http_requests_total", "up|node_load1"]);
  });

  it.each([
    ['{__name__=~".+"}', 'a selector names no metric, so it would read every series; name the metric, e.g. http_requests_total{job="api"} or {__name__="up"}'],
    ['{job=~".*"}', "a selector names no metric"],
    ['count by (job) ({job=~".+"})', "a selector names no metric"],
    ['up or {__name__!="up"}', "a selector names no metric"],
    ['{__name__=~"up|.*"}', "a selector names no metric"],
    ['{__name__=~"(?i)UP"}', "a selector names no metric"],
    ['{"__name__"=~".+"}', "a selector names no metric"],
    ["vector(1)", "the expression reads no metric, so there is nothing to re-evaluate"],
    ["time() > 0", "the expression reads no metric"],
    ["sum by (password) (app_config_info)", 'label "password" looks like it holds a secret; matching, grouping or copying it is not allowed'],
    ['app_info{api_key=~"sk-.*"}', 'label "api_key" looks like it holds a secret'],
    ['app_info{"db_password"="x"}', 'label "db_password" looks like it holds a secret'],
    ['foo{Authorization!=""}', 'label "Authorization" looks like it holds a secret'],
    ['up and on(session_id) foo', 'label "session_id" looks like it holds a secret'],
    ['a * on(job) group_left(client_secret) b', 'label "client_secret" looks like it holds a secret'],
    ['label_replace(app_info, "job", "$1", "db_password", "(.*)")', 'label "db_password" looks like it holds a secret'],
    ['label_replace(app_info, "x_token", "$1", "job", "(.*)")', 'label "x_token" looks like it holds a secret'],
    ['label_join(app_info, "leak", ",", "job", "token")', 'label "token" looks like it holds a secret'],
    ['count_values("api_key", app_info)', 'label "api_key" looks like it holds a secret'],
    ['sort_by_label(app_info, "bearer")', 'label "bearer" looks like it holds a secret'],
    ['app_info{"db_p\\u0061ssword"=~"h.*"}', 'label "db_password" looks like it holds a secret'],
    ['label_replace(app_info, "x", "$1", "pass\\x77ord", "(.*)")', "looks like it holds a secret"],
    ['label_join(app_info, "x", ",", "t\\157ken")', "looks like it holds a secret"],
    ['up{job="gh\\x70_abcdefghijklmnopqrstuvwxyz0123456789"}', "the expression carries text that looks like a credential"],
    ['up{job="a\\qb"}', "the string that starts at character 8 has an escape PromQL does not know"],
    ['label_replace(app_info, "dst", "$1", src_label, "(.*)")', "label_replace takes label names as quoted strings"],
    ["rate(http_requests_total[365d])", "a range of 365d looks back further than the 7d limit; use a shorter range"],
    ["up offset 30d", "an offset of 30d looks back further than the 7d limit"],
    ["max_over_time(up[30d:1h])", "a subquery range of 30d looks back further than the 7d limit"],
    ["max_over_time(up[6d:1s])", "a subquery of 6d at 1s evaluates 518400 points per series; the limit is 11000"],
    ["max_over_time(up[1d:0s])", "a subquery resolution must be positive"],
    ['up{job="ghp_abcdefghijklmnopqrstuvwxyz0123456789"}', "the expression carries text that looks like a credential; rules never need one"],
    ['up{url="postgres://app:hunter2@db:5432/x"}', "the expression carries text that looks like a credential"],
    [`${"(".repeat(40)}up${")".repeat(40)}`, "the expression is nested deeper than 32 levels"],
    ["", "the expression is empty"],
    ['up{job="x"', 'expected "," or "}" at the end'],
    ['up{job="x}', "a string that starts at character 8 is not closed"],
    ["up)", 'unexpected ")" at character 3'],
    ["up[5min]", "character 4 starts neither a number nor a duration such as 5m or 1h30m"],
    ["up \u0000", "character 4 is not part of PromQL"],
    ["and up", '"and" at character 1 needs an expression before it'],
    [`${Array.from({ length: 33 }, (_, i) => `m${i}`).join(" + ")}`, "the expression has more than 32 selectors"]
  ])("refuses %j: %s", (expr, reason) => {
    expect(reasonOf(expr)).toContain(reason);
  });

  it("accepts what Prometheus accepts around the edges: comments, quoting styles, modifiers, upper-case keywords", () => {
    for (const expr of [
      "up # the target is down",
      "up{job='api'} == 0",
      "up{job=`api`,} == 0",
      "up{} == 0",
      '{"http.server.duration", job="api"}',
      "up offset -1h",
      "up @ start()",
      "up @ 1609746000",
      "rate(up[5m:])",
      "rate(up[300])",
      "0x1F * up",
      "up > bool 1",
      "count(up == 0) BY (job) / ON(job) GROUP_LEFT count(up) BY (job)",
      "-up",
      "sum without() (up)",
      ':node_memory_MemAvailable_bytes:sum{cluster="a"}',
      "max_over_time(up[7d])",
      "kube_node_spec_taint{key=\"node.kubernetes.io/unreachable\"}",
      'istio_requests_total{authority="api.example.com"}'
    ]) {
      expect(reasonOf(expr), expr).toBeUndefined();
    }
  });

  it("the limits are configurable", () => {
    expect(reasonOf("rate(up[2d])")).toBeUndefined();
    expect(Result.isFailure(validatePromql("rate(up[2d])", { maxLookbackMs: 86_400_000 }))).toBe(true);
    expect(Result.isFailure(validatePromql("up", { maxLength: 1 }))).toBe(true);
  });

  it("never throws, and refuses or accepts any text (property)", () => {
    const fragments = fc.constantFrom("up", "sum", "by", "(", ")", "{", "}", "[", "]", ":", ",", '"', "'", "`", "=~", "!=", "==", "5m", "1.5", "job", "__name__", ".+", "#", "\n", " ", "offset", "@", "and", "-", "label_replace", "password", "\\");
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(fragments, { maxLength: 200 }).map((parts) => parts.join(""))), (text) => {
        const result = validatePromql(text);
        if (Result.isFailure(result)) expect(result.failure.reason.length).toBeGreaterThan(0);
        // What is accepted is the text itself, names at least one metric, and is accepted again.
        else expect([result.success.expr === text, result.success.metrics.length > 0, Result.isSuccess(validatePromql(result.success.expr))]).toEqual([true, true, true]);
      }),
      { numRuns: 2_000 }
    );
  });

  it("answers long and deeply nested input without reading it all or overflowing the stack", () => {
    expect(reasonOf(`up{job="${"a".repeat(2_000)}"}`)).toBe("the expression is 2010 characters long; the limit is 2000");
    expect(reasonOf("(".repeat(5_000_000))).toBe("the expression is 5000000 characters long; the limit is 2000");
    expect(reasonOf("(".repeat(1_999))).toBe("the expression is nested deeper than 32 levels");
    expect(reasonOf("-".repeat(1_998) + "up")).toBeUndefined();
    expect(reasonOf(`up${" + up".repeat(300)}`.slice(0, 2_000))).toContain("more than 32 selectors");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), (n) => {
        const reason = reasonOf(`${"sum(".repeat(n)}up${")".repeat(n)}`);
        if (n <= 32) expect(reason).toBeUndefined();
        else expect(reason).toMatch(/^the expression (is nested deeper than 32 levels|is \d+ characters long)/);
      })
    );
  });

  it("a refusal quotes no string the caller wrote (property)", () => {
    const planted = fc.stringMatching(/^[A-Za-z0-9 <>@!*_-]{6,30}$/).filter((s) => /[^A-Za-z0-9_]/.test(s));
    fc.assert(
      fc.property(planted, fc.constantFrom((p: string) => `{job="${p}"}`, (p: string) => `up{job="${p}"`, (p: string) => `label_replace(up, "${p}", "", "", "")`, (p: string) => `{"${p}"=~".+"}`), (p, build) => {
        const reason = reasonOf(build(p));
        if (reason !== undefined) expect(reason).not.toContain(p);
      })
    );
  });

  it("a selector without a metric name is always refused, whatever its matchers (property)", () => {
    const label = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/).filter((l) => l !== "__name__");
    const matcher = fc.tuple(label, fc.constantFrom("=", "!=", "=~", "!~"), fc.constantFrom(".+", ".*", "api", "")).map(([l, op, v]) => `${l}${op}"${v}"`);
    fc.assert(
      fc.property(fc.array(matcher, { minLength: 1, maxLength: 4 }), fc.constantFrom((s: string) => s, (s: string) => `count(${s})`, (s: string) => `up or ${s}`), (matchers, wrap) => {
        expect(reasonOf(wrap(`{${matchers.join(",")}}`))).toMatch(/names no metric|looks like it holds a secret/);
      })
    );
  });

  it("a matcher on a secret-looking label is always refused (property)", () => {
    const secretish = fc.tuple(fc.constantFrom("", "db_", "x_", "aws_", "client_"), fc.constantFrom("password", "passwd", "secret", "token", "api_key", "apikey", "access_key", "private_key", "authorization", "auth", "credentials", "cookie", "session_id"), fc.constantFrom("", "_value", "_hash"));
    fc.assert(
      fc.property(secretish, fc.constantFrom("=", "!=", "=~", "!~"), ([before, word, after], op) => {
        const name = `${before}${word}${after}`;
        expect(reasonOf(`app_info{${name}${op}"x"}`)).toBe(`label "${name}" looks like it holds a secret; matching, grouping or copying it is not allowed`);
      })
    );
  });
});
