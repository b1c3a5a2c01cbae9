import { Result } from "effect";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../config/loadConfig.js";
import { StartupError } from "./buildChats.js";
import { synthesisFromConfig } from "./synthesisFromConfig.js";

const config = (yaml: string) => {
  const r = parseConfigText(yaml, "test");
  if (Result.isFailure(r)) throw r.failure;
  return r.success;
};

describe("synthesis from config.yaml", () => {
  it("is deterministic without a model, whatever the routing setting", () => {
    const s = synthesisFromConfig(config("investigation: { routing: model }"), {});
    expect(s.modelSpec).toBe("none");
    expect(s.synthesisModel).toBeUndefined();
    expect(s.route).toBeUndefined();
  });

  it("uses the master's model before SRE_ON_CALL_MODEL and defaults.model, and routes only when asked", () => {
    const env = { SRE_ON_CALL_MODEL: "openai:gpt-4o", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };
    expect(synthesisFromConfig(config("defaults: { model: openai:gpt-4.1 }"), env).modelSpec).toBe("openai:gpt-4o");
    const master = synthesisFromConfig(config("agents:\n  master: { model: openai:gpt-4o-mini }\ninvestigation: { routing: model }"), env);
    expect(master.modelSpec).toBe("openai:gpt-4o-mini");
    expect(master.synthesisModel?.model).toMatchObject({ converse: expect.any(Function) });
    expect(typeof master.route).toBe("function");
    expect(synthesisFromConfig(config("agents:\n  master: { model: openai:gpt-4o-mini }"), env).route).toBeUndefined();
  });

  it("redacts configured patterns in reports", () => {
    const s = synthesisFromConfig(config("redaction: { patterns: ['acme_[a-z0-9]{8}'] }"), {});
    expect(s.redactDeep({ text: "key acme_abcdef12 leaked" }).text).not.toContain("acme_abcdef12");
  });

  it("names the key of a model spec it cannot use", () => {
    expect(() => synthesisFromConfig(config("agents:\n  master: { model: nosuch:thing }"), {})).toThrow(StartupError);
    expect(() => synthesisFromConfig(config("agents:\n  master: { model: nosuch:thing }"), {})).toThrow(/agents\.master\.model/);
  });
});

describe("synthesis reserve", () => {
  it("keeps 5 s without a model and 20 s with one, unless config.yaml says otherwise", async () => {
    const { synthesisReserveSeconds } = await import("../config/AppConfig.js");
    expect(synthesisReserveSeconds(config(""), false)).toBe(5);
    expect(synthesisReserveSeconds(config(""), true)).toBe(20);
    expect(synthesisReserveSeconds(config("investigation: { synthesis_reserve_seconds: 8 }"), true)).toBe(8);
  });
});
