import { ESLint } from "eslint";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root });

const restrictedImports = async (filePath: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
};

describe("package boundaries are enforced by lint", () => {
  it.each([
    ['import { readFileSync } from "node:fs";', "node:*"],
    ['import { WebClient } from "@slack/web-api";', "an SDK"],
    ['import { Container } from "inversify";', "inversify"],
    ['import { x } from "@sre-on-call/adapters";', "a sibling package"],
    ['import fs from "fs";', "a bare Node builtin"]
  ])("core may not import %s (%s)", async (code) => {
    expect(await restrictedImports("packages/core/src/probe.ts", `${code}\nexport {};\n`)).toHaveLength(1);
  });

  it("core may import effect and its own modules", async () => {
    expect(await restrictedImports("packages/core/src/probe.ts", 'import { Effect } from "effect";\nimport { Schema } from "effect";\nimport "./model/index.js";\nexport { Effect, Schema };\n')).toEqual([]);
  });

  it.each(["packages/adapters/src/probe.ts", "packages/agents/src/probe.ts", "packages/deploy/src/cli/probe.ts", "test/probe.ts"])(
    "%s may not import inversify",
    async (path) => {
      expect(await restrictedImports(path, 'import { Container } from "inversify";\nexport { Container };\n')).toHaveLength(1);
    }
  );

  it("the composition root may import inversify", async () => {
    expect(await restrictedImports("packages/deploy/src/composition/probe.ts", 'import { Container } from "inversify";\nexport { Container };\n')).toEqual([]);
  });

  it("adapters and agents may not import deploy", async () => {
    expect(await restrictedImports("packages/agents/src/probe.ts", 'import { x } from "@sre-on-call/deploy";\nexport { x };\n')).toHaveLength(1);
  });
});
