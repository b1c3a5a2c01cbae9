import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");
const DOCKERFILE = read("../Dockerfile");
const DOCKERIGNORE = read("../.dockerignore");

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
const instructions = (text: string): ReadonlyArray<Instruction> => {
  const out: Array<Instruction> = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    const continued = line.endsWith("\\");
    const body = continued ? line.slice(0, -1) : line;
    pending = pending === undefined ? { text: body.trim(), line: index + 1 } : { text: `${pending.text} ${body.trim()}`, line: pending.line };
    if (!continued) {
      const [keyword = "", ...rest] = pending.text.split(/\s+/);
      out.push({ keyword: keyword.toUpperCase(), args: rest.join(" "), line: pending.line });
      pending = undefined;
    }
  });
  return out;
};

/** Splits at each FROM: the stages, the last being the image that ships. */
const stages = (list: ReadonlyArray<Instruction>): ReadonlyArray<ReadonlyArray<Instruction>> =>
  list.reduce<Array<Array<Instruction>>>((acc, ins) => {
    if (ins.keyword === "FROM") acc.push([ins]);
    else acc.at(-1)?.push(ins);
    return acc;
  }, []);

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|CREDENTIAL/i;
const SECRET_VALUE = /xox[abpr]-|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY/;

/** The house rules for agent images; each problem names the rule and the line. */
const houseRuleProblems = (text: string): ReadonlyArray<string> => {
  const problems: Array<string> = [];
  const all = instructions(text);
  const byStage = stages(all);
  const final = byStage.at(-1) ?? [];
  const from = final[0];
  const aliases = new Set<string>();
  for (const stage of byStage) {
    const args = stage[0]?.args ?? "";
    const base = args.split(/\s+/).find((w) => !w.startsWith("--")) ?? "";
    const alias = /\sAS\s+(\S+)/i.exec(args)?.[1];
    if (alias !== undefined) aliases.add(alias);
    if (aliases.has(base) && base !== alias) continue;
    const image = /^node:(\d+)/.exec(base);
    if (image === null || Number(image[1]) < 22) problems.push(`line ${stage[0]?.line}: base image must be node:22 or newer (${stage[0]?.args})`);
  }
  if (from === undefined || !/--platform=linux\/arm64\b/.test(from.args)) problems.push("final stage: FROM must pin --platform=linux/arm64 (AgentCore runs arm64)");
  const users = final.filter((i) => i.keyword === "USER");
  const user = users.at(-1)?.args.split(":")[0];
  if (user === undefined || user === "root" || user === "0") problems.push("final stage: must switch to a non-root USER");
  if (!final.some((i) => i.keyword === "EXPOSE" && i.args.split(/\s+/).includes("9000"))) problems.push("final stage: must EXPOSE 9000 (AgentCore's A2A port)");
  const health = final.find((i) => i.keyword === "HEALTHCHECK");
  if (health === undefined || !health.args.includes("/ping")) problems.push("final stage: needs a HEALTHCHECK on /ping");
  const entry = final.find((i) => i.keyword === "ENTRYPOINT");
  if (entry === undefined || !/agent serve --id \\?"?\$AGENT_ID\\?"? --port 9000 --host 0\.0\.0\.0/.test(entry.args)) problems.push("final stage: ENTRYPOINT must run `agent serve --id $AGENT_ID --port 9000 --host 0.0.0.0`");
  for (const i of final) {
    if (i.keyword === "COPY" && /--from=(deps|pnpm)\b/.test(i.args)) problems.push(`line ${i.line}: the final stage must not copy from the dev-dependency stages (${i.args})`);
    if (i.keyword === "COPY" && /--from=build\b.*node_modules/.test(i.args)) problems.push(`line ${i.line}: node_modules must come from prod-deps, not build`);
  }
  for (const i of all) {
    if ((i.keyword === "ARG" || i.keyword === "ENV") && SECRET_NAME.test(i.args.split(/[=\s]/)[0] ?? "")) problems.push(`line ${i.line}: ${i.keyword} ${i.args.split(/[=\s]/)[0]} looks like a secret; secrets never go into an image`);
    if (i.keyword === "RUN" && /--mount=type=secret/.test(i.args) === false && SECRET_VALUE.test(i.args)) problems.push(`line ${i.line}: a credential is written into the image`);
  }
  if (SECRET_VALUE.test(text)) problems.push("the Dockerfile contains something shaped like a credential");
  return problems;
};

describe("Dockerfile", () => {
  it("has no linter diagnostics", () => {
    const diagnostics = validate(DOCKERFILE).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(diagnostics).toEqual([]);
  });

  it("follows the house rules: node ≥ 22, arm64, non-root, port 9000, health check, no secrets", () => {
    expect(houseRuleProblems(DOCKERFILE)).toEqual([]);
  });

  it("catches each broken rule (the checks are not vacuous)", () => {
    const broken: ReadonlyArray<readonly [string, string, string]> = [
      ["USER node", "USER root", "non-root USER"],
      ["EXPOSE 9000", "EXPOSE 8080", "EXPOSE 9000"],
      ["FROM --platform=linux/arm64 node:22-bookworm-slim AS runtime", "FROM node:22-bookworm-slim AS runtime", "linux/arm64"],
      ["FROM --platform=linux/arm64 node:22-bookworm-slim AS runtime", "FROM --platform=linux/arm64 node:20-bookworm-slim AS runtime", "node:22 or newer"],
      ["ENV NODE_ENV=production", "ENV NODE_ENV=production\nARG SLACK_BOT_TOKEN", "looks like a secret"],
      ["127.0.0.1:9000/ping", "127.0.0.1:9000/", "HEALTHCHECK on /ping"],
      ["COPY config.yaml ./", "COPY config.yaml ./\nCOPY --from=deps /app/node_modules ./node_modules", "dev-dependency stages"]
    ];
    for (const [from, to, rule] of broken) {
      expect(DOCKERFILE.includes(from), from).toBe(true);
      expect(houseRuleProblems(DOCKERFILE.replace(from, to)).join("\n"), rule).toContain(rule);
    }
  });

  it("lints a broken instruction (the linter is wired in)", () => {
    expect(validate(`${DOCKERFILE}\nEXPOSE not-a-port\n`).length).toBeGreaterThan(0);
  });

  it("keeps local secrets, dependencies and build output out of the build context", () => {
    const lines = DOCKERIGNORE.split("\n").map((l) => l.trim());
    for (const entry of [".env", ".env.*", "**/node_modules", "**/dist", ".git", ".sst"]) expect(lines, entry).toContain(entry);
  });
});
