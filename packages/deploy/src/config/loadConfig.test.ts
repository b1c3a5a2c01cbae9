import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "./loadConfig.js";

const problems = (yaml: string) => {
  const r = parseConfigText(yaml, "config.yaml");
  return Result.isFailure(r) ? r.failure.problems : [];
};

describe("config validation", () => {
  it("fills defaults for an empty file", () => {
    const r = parseConfigText("", "config.yaml");
    expect(Result.isSuccess(r)).toBe(true);
    if (Result.isFailure(r)) return;
    expect(r.success.investigation.report_after_seconds).toBe(60);
    expect(r.success.investigation.hard_cutoff_seconds).toBe(300);
    expect(r.success.classifier.enabled).toBe(true);
  });

  it("names the key and the expected type", () => {
    expect(problems("classifier:\n  enabled: maybe\n")).toEqual(["classifier.enabled: Expected boolean, got \"maybe\""]);
  });

  it("rejects unknown keys and unknown agents with the fix", () => {
    expect(problems("investigaton:\n  report_after_seconds: 30\n")[0]).toMatch(/^investigaton: unknown key; remove it or check its spelling/);
    expect(problems("agents:\n  splunk:\n    enabled: true\n")).toEqual([
      "agents.splunk: unknown agent; known agents are master, eks, cloudwatch-logs, prometheus, slack-history, discord-history, incident-history."
    ]);
  });

  it("refuses to disable the master", () => {
    expect(problems("agents:\n  master:\n    enabled: false\n")[0]).toMatch(/^agents\.master\.enabled: the master agent .* cannot be disabled/);
  });

  it("rejects an EKS agent without VPC access to a private cluster", () => {
    const yaml = "agents:\n  eks:\n    data_source:\n      eks_cluster: prod\n      region: eu-west-1\n      private_endpoint: true\n";
    expect(problems(yaml)).toEqual([
      "agents.eks.network_mode: the EKS cluster's API endpoint is private, so the agent needs VPC network mode; set agents.eks.network_mode: VPC."
    ]);
    expect(problems(yaml.replace("agents:\n  eks:\n", "agents:\n  eks:\n    network_mode: VPC\n"))).toEqual([]);
  });

  it("reports YAML syntax errors", () => {
    expect(problems("agents: [unclosed\n")[0]).toMatch(/^YAML: /);
  });

  it("rejects two data sources for one agent", () => {
    expect(problems("agents:\n  eks:\n    data_source:\n      cluster_dump: d\n      kubeconfig: k\n")[0]).toMatch(/choose one of cluster_dump/);
  });

  it("checks each specialist's data source with its own schema", () => {
    const bad = parseConfigText(["agents:", "  prometheus:", "    data_source: { url: http://prom:9090, auth: { type: bearer, token: plain-secret } }", "  discord-history:", "    data_source: { channels: [general] }"].join("\n"), "x.yaml");
    expect(Result.isFailure(bad)).toBe(true);
    if (Result.isFailure(bad)) {
      const text = bad.failure.message;
      expect(text).toMatch(/agents\.prometheus\.data_source/);
      expect(text).toMatch(/Discord channel ids/);
      expect(text).not.toContain("plain-secret");
    }
  });

  it("takes Discord channel ids whose message links commands may follow, none by default", () => {
    const r = parseConfigText("", "config.yaml");
    expect(Result.isSuccess(r) ? r.success.intake.discord_allowed_link_channels : "invalid").toEqual([]);
    const ok = parseConfigText("intake:\n  discord_allowed_link_channels: ['1100000000000000999']\n", "config.yaml");
    expect(Result.isSuccess(ok) ? ok.success.intake.discord_allowed_link_channels : "invalid").toEqual(["1100000000000000999"]);
    expect(problems("intake:\n  discord_allowed_link_channels: ['#alerts', '1100000000000000999']\n")).toEqual([
      'intake.discord_allowed_link_channels[0]: "#alerts" is not a Discord channel id; use the digits (Discord → User Settings → Advanced → Developer Mode, then right-click the channel → Copy Channel ID).'
    ]);
  });

  it("bounds how long a request may take to arrive and how many connections serve keeps", () => {
    const r = parseConfigText("", "config.yaml");
    expect(Result.isSuccess(r) ? [r.success.intake.request_timeout_seconds, r.success.intake.max_connections] : "invalid").toEqual([15, 256]);
    const ok = parseConfigText("intake:\n  request_timeout_seconds: 10\n  max_connections: 64\n", "config.yaml");
    expect(Result.isSuccess(ok) ? [ok.success.intake.request_timeout_seconds, ok.success.intake.max_connections] : "invalid").toEqual([10, 64]);
    expect(problems("intake:\n  request_timeout_seconds: 600\n")).toEqual([
      "intake.request_timeout_seconds: must be between 1 and 300 seconds (webhooks send their small bodies at once; 10 to 15 is plenty), not 600."
    ]);
    expect(problems("intake:\n  max_connections: 0\n")[0]).toMatch(/^intake\.max_connections: /);
    expect(problems("intake:\n  max_connections: 2.5\n")[0]).toMatch(/^intake\.max_connections: /);
  });

  it("checks extra redaction patterns and the OTLP endpoint", () => {
    expect(problems("redaction:\n  patterns: ['acme_[A-Za-z0-9]{32}']\ntelemetry:\n  otlp_endpoint: http://127.0.0.1:4318/v1/traces\n")).toEqual([]);
    const bad = problems("redaction:\n  patterns: ['acme_(', '.*']\ntelemetry:\n  otlp_endpoint: localhost:4318\n");
    expect(bad).toHaveLength(3);
    expect(bad[0]).toMatch(/^redaction\.patterns\[0\]: "acme_\(" is not usable: not a valid regular expression/);
    expect(bad[1]).toMatch(/^redaction\.patterns\[1\]: .*matches the empty string/);
    expect(bad[2]).toMatch(/^telemetry\.otlp_endpoint: must be an http\(s\) URL/);
  });
});
