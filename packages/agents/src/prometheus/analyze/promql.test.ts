import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expressionFromGeneratorUrl, quote, regexLiteral, selector, splitComparison } from "./promql.js";

describe("PromQL helpers", () => {
  it("decodes the rule expression from an Alertmanager generatorURL, '+' as space", () => {
    const url = "http://prometheus:9090/graph?g0.expr=sum+by+%28job%29+%28rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29+%3E+0.05&g0.tab=1";
    expect(expressionFromGeneratorUrl(url)).toBe('sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0.05');
    expect(expressionFromGeneratorUrl("https://grafana.example.com/alerting/grafana/abc123/view")).toBeUndefined();
    expect(expressionFromGeneratorUrl("not a url")).toBeUndefined();
    expect(expressionFromGeneratorUrl("http://p/graph?g0.expr=%20%20")).toBeUndefined();
  });

  it("splits a top-level comparison with a number from its value", () => {
    expect(splitComparison('sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m])) > 0.05')).toEqual({ value: 'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))', op: ">", threshold: 0.05 });
    expect(splitComparison("0.9 < node_load1")).toEqual({ value: "node_load1", op: ">", threshold: 0.9 });
    expect(splitComparison("up == 0")).toEqual({ value: "up", op: "==", threshold: 0 });
    expect(splitComparison("x >= bool 1e3")).toEqual({ value: "x", op: ">=", threshold: 1000 });
    // Comparisons inside functions, strings and matchers are not the top level.
    expect(splitComparison('count(up{job!="a>b"} > 0)')).toBeUndefined();
    expect(splitComparison("a > 1 and b > 2")).toBeUndefined();
    expect(splitComparison("a > b")).toBeUndefined();
    expect(splitComparison("rate(x[5m]")).toBeUndefined();
    expect(splitComparison("errors_ratio > 0.05 # page when over 5%")).toEqual({ value: "errors_ratio", op: ">", threshold: 0.05 });
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const split = splitComparison(text);
        if (split !== undefined) expect(Number.isFinite(split.threshold)).toBe(true);
        expressionFromGeneratorUrl(text);
      })
    );
  });

  it("quotes label values and regex-escapes names safely", () => {
    expect(selector("up", [{ label: "job", op: "=", value: 'a"b\\c' }])).toBe('up{job="a\\"b\\\\c"}');
    expect(regexLiteral("api.v1-(x)")).toBe("api\\.v1-\\(x\\)");
    expect(quote(regexLiteral("a.b"))).toBe('"a\\\\.b"');
  });
});
