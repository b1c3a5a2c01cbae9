import { telemetryContract } from "@sre-on-call/core/testing";
import { Effect, Fiber } from "effect";
import { describe, expect, it } from "vitest";
import { combineTelemetry } from "./combineTelemetry.js";
import { withInvestigationId } from "./investigationContext.js";
import { makePinoTelemetry, type PinoTelemetryOptions } from "./PinoTelemetry.js";

const recorder = (options: Omit<PinoTelemetryOptions, "destination"> = {}) => {
  const raw: Array<string> = [];
  const telemetry = makePinoTelemetry({ ...options, destination: { write: (line: string) => raw.push(line) } });
  const records = () => raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { telemetry, records, raw };
};
const run = Effect.runPromise;

describe("makePinoTelemetry", () => {
  for (const c of telemetryContract({ make: async () => recorder() })) it(c.name, c.run);

  it("writes one JSON line per call with level label, ISO time, message, base and fields", async () => {
    const { telemetry, records, raw } = recorder({ base: { service: "sre-on-call", environment: "prod" } });
    await run(telemetry.log("info", "intake accepted", { channel: "C1", n: 3 }));
    expect(raw).toHaveLength(1);
    expect(raw[0]!.endsWith("\n")).toBe(true);
    const [line] = records();
    expect(line).toMatchObject({ level: "info", msg: "intake accepted", service: "sre-on-call", environment: "prod", channel: "C1", n: 3 });
    expect(new Date(String(line!["time"])).toISOString()).toBe(line!["time"]);
    expect(line).not.toHaveProperty("investigationId");
  });

  it("puts the investigation id on every line inside withInvestigationId, spans and forked fibers", async () => {
    const { telemetry, records } = recorder({ level: "debug" });
    const work = Effect.gen(function* () {
      yield* telemetry.log("info", "received");
      yield* telemetry.span("dispatch", { agents: 2 }, telemetry.log("info", "dispatching"));
      const fiber = yield* Effect.forkChild(telemetry.log("warn", "agent slow", { agent: "eks" }));
      yield* Fiber.join(fiber);
    });
    await run(withInvestigationId("inv-42")(work));
    await run(telemetry.span("investigation", { investigationId: "inv-43" }, telemetry.span("agent", { agent: "prometheus" }, telemetry.log("error", "model failed"))));
    await run(telemetry.log("info", "outside"));

    const lines = records();
    const byMsg = (msg: string) => lines.filter((l) => l["msg"] === msg);
    for (const msg of ["received", "dispatching", "agent slow"]) expect(byMsg(msg).map((l) => l["investigationId"])).toEqual(["inv-42"]);
    expect(byMsg("model failed")[0]?.["investigationId"]).toBe("inv-43");
    expect(byMsg("outside")[0]).not.toHaveProperty("investigationId");
    // Span end lines, inner first, each with its duration and outcome, inside the investigation too.
    const ends = byMsg("span end");
    expect(ends.map((l) => [l["span"], l["outcome"], l["investigationId"]])).toEqual([
      ["dispatch", "ok", "inv-42"],
      ["agent", "ok", "inv-43"],
      ["investigation", "ok", "inv-43"]
    ]);
    for (const l of ends) expect(typeof l["durationMs"]).toBe("number");
  });

  it("a field's explicit investigationId wins over the fiber's, and Effect log annotations are kept", async () => {
    const { telemetry, records } = recorder();
    await run(withInvestigationId("inv-a")(telemetry.log("info", "x", { investigationId: "inv-b" }).pipe(Effect.annotateLogs("requestId", "r-1"))));
    expect(records()[0]).toMatchObject({ investigationId: "inv-b", requestId: "r-1" });
  });

  it("redacts secrets in the message, in nested fields, in errors, and under credential-named keys", async () => {
    const { telemetry, raw, records } = recorder();
    await run(
      telemetry.log("error", "slack call failed with token xoxb-1234567890-abcdefghijklmnop", {
        request: { headers: { authorization: "Bearer abc.def.ghi-jkl-mno" }, url: "https://user:hunter2@example.com/x" },
        password: "correct horse battery staple",
        apiKey: "plain-looking-value",
        error: new Error("AKIAIOSFODNN7EXAMPLE was denied"),
        list: ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", 1],
        tokens: 1234
      })
    );
    const text = raw.join("");
    for (const secret of ["xoxb-1234567890", "abc.def.ghi", "hunter2", "correct horse", "plain-looking-value", "AKIAIOSFODNN7EXAMPLE", "ghp_abcdef"]) {
      expect(text).not.toContain(secret);
    }
    const line = records()[0]!;
    expect(line["password"]).toBe("[REDACTED]");
    expect(line["tokens"]).toBe(1234);
    expect(line["error"]).toEqual({ name: "Error", message: "[REDACTED] was denied" });
    expect(String(line["msg"])).toContain("[REDACTED]");
  });

  it("applies extra redaction patterns from config", async () => {
    const { telemetry, raw } = recorder({ redact: { extra: [/acme_[a-z0-9]{8}/] } });
    await run(telemetry.log("info", "key acme_12345678 used", { k: "acme_abcdefgh" }));
    expect(raw.join("")).not.toMatch(/acme_[a-z0-9]{8}/);
  });

  it("writes nothing below its level, and cycles, bigints and deep values become bounded JSON", async () => {
    const { telemetry, records } = recorder({ level: "warn" });
    await run(telemetry.log("info", "hidden"));
    await run(telemetry.log("debug", "hidden"));
    const cyclic: Record<string, unknown> = { name: "a" };
    cyclic["self"] = cyclic;
    cyclic["pair"] = [cyclic, cyclic];
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    await run(telemetry.log("warn", "shapes", { cyclic, big: 10n, deep, f: () => 1, nan: Number.NaN }));
    const lines = records();
    expect(lines.map((l) => l["msg"])).toEqual(["shapes"]);
    expect(lines[0]).toMatchObject({ cyclic: { name: "a", self: "[Circular]", pair: ["[Circular]", "[Circular]"] }, big: "10", nan: "NaN" });
    expect(lines[0]).not.toHaveProperty("f");
    expect(JSON.stringify(lines[0]!["deep"])).toContain("[Truncated]");
  });

  it("a destination that throws does not fail the log", async () => {
    const attempts: Array<string> = [];
    const telemetry = makePinoTelemetry({
      destination: {
        write: (line: string) => {
          attempts.push(line);
          throw new Error("disk full");
        }
      }
    });
    // The log completes (a defect or failure would reject), after the line really reached the failing destination.
    await expect(run(telemetry.log("error", "still fine").pipe(Effect.as("logged")))).resolves.toBe("logged");
    expect(attempts.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(["still fine"]);
  });
});

describe("combineTelemetry", () => {
  it("logs to each and nests spans so each sees the investigation", async () => {
    const a = recorder();
    const b = recorder({ level: "debug" });
    const both = combineTelemetry(a.telemetry, b.telemetry);
    expect(await run(both.span("intake", { investigationId: "inv-c" }, both.log("info", "in").pipe(Effect.as(7))))).toBe(7);
    expect(a.records().map((l) => [l["msg"], l["investigationId"]])).toEqual([["in", "inv-c"]]);
    expect(b.records().map((l) => [l["msg"], l["investigationId"]])).toEqual([
      ["in", "inv-c"],
      ["span end", "inv-c"]
    ]);
  });

  for (const c of telemetryContract({
    make: async () => {
      const a = recorder();
      return { telemetry: combineTelemetry(a.telemetry, makePinoTelemetry({ destination: { write: () => undefined } })), records: a.records };
    }
  })) it(`combined: ${c.name}`, c.run);
});
