import { Effect, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { sampleAlert } from "../testing/samples.js";
import { schemaTool, ToolError } from "./AgentTool.js";

const tool = schemaTool({
  name: "query_range",
  description: "Evaluate a PromQL expression over a window",
  args: Schema.Struct({ expr: Schema.String, minutes: Schema.optionalKey(Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 360 })))) }),
  run: (args) => Effect.succeed({ text: `${args.expr} over ${args.minutes ?? 30}m` })
});

describe("schemaTool", () => {
  it("offers the arguments as a JSON Schema object", () => {
    expect(tool.inputSchema).toMatchObject({ type: "object", required: ["expr"], properties: { expr: { type: "string" }, minutes: { type: "integer", minimum: 1, maximum: 360 } } });
    expect(tool.origin).toBe("builtin");
  });

  it("decodes the model's input before running", async () => {
    const out = await Effect.runPromise(tool.run({ expr: "up", minutes: 5 }, { alert: sampleAlert, deadline: Date.now() + 1000 }));
    expect(out.text).toBe("up over 5m");
  });

  it("answers invalid input with a typed error naming the tool and the path", async () => {
    const err = await Effect.runPromise(Effect.flip(tool.run({ minutes: 0 }, { alert: sampleAlert, deadline: Date.now() + 1000 })));
    expect(err).toBeInstanceOf(ToolError);
    expect(err.reason).toBe("invalid_input");
    expect(err.detail).toMatch(/expr/);
  });

  it("rejects names the model APIs refuse", () => {
    expect(() => schemaTool({ name: "bad name!", description: "", args: Schema.Struct({}), run: () => Effect.succeed({ text: "" }) })).toThrow(/must match/);
  });
});
