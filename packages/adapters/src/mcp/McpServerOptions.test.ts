import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { McpServerOptions } from "./McpServerOptions.js";

const decode = Schema.decodeUnknownSync(McpServerOptions);

describe("McpServerOptions", () => {
  it("decodes the keys of config.yaml's mcp_servers entries, old and new", () => {
    expect(decode({ name: "runbooks", transport: "stdio", command: "npx", args: ["-y", "runbooks-mcp"] })).toEqual({
      name: "runbooks",
      transport: "stdio",
      command: "npx",
      args: ["-y", "runbooks-mcp"]
    });
    const full = {
      name: "gw",
      transport: "http",
      url: "https://gw.example.com/mcp",
      auth: "iam",
      region: "eu-west-1",
      service: "bedrock-agentcore",
      timeout_ms: 5_000,
      tools: ["search"],
      api_key_header: "X-Api-Key",
      env: { A: "b" },
      cwd: "/srv"
    };
    expect(decode(full)).toEqual(full);
  });

  it("rejects an unknown transport or auth, and a timeout that is not positive", () => {
    expect(() => decode({ name: "x", transport: "websocket" })).toThrow();
    expect(() => decode({ name: "x", transport: "http", auth: "oauth" })).toThrow();
    expect(() => decode({ name: "x", transport: "http", timeout_ms: 0 })).toThrow();
    expect(() => decode({ name: "x", transport: "http", timeout_ms: Number.NaN })).toThrow();
  });
});
