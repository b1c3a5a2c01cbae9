import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentSkill, agentSystemPrompt } from "@sre-on-call/core";
import { Effect, Exit, Result } from "effect";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AGENT_TOOL_NAMES, loadAgentSkills, skillsDirectoryOf } from "./agentSkills.js";
import { loadSkills } from "./loadSkills.js";
import { parseSkill, renderSkill, type Skill, SkillError, validateSkills } from "./Skill.js";

const BODY = "# t\n\n## When to use\nAlways.\n\n## Inputs\n- `x`\n\n## Output\nText.\n\n## Honesty\nNo guessing.\n";
const skillText = (name: string, tool = name, body = BODY) => renderSkill({ name, description: `does ${name}`, tool }, body);

const failureOf = async <A>(effect: Effect.Effect<A, SkillError>): Promise<SkillError> => {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) throw new Error("expected a SkillError");
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail");
  if (reason?._tag !== "Fail") throw new Error(`expected a failure, got ${String(exit.cause)}`);
  return reason.error;
};

describe("shipped skills (the startup check)", () => {
  for (const agent of Object.keys(AGENT_TOOL_NAMES) as Array<keyof typeof AGENT_TOOL_NAMES>) {
    it(`${agent}: every tool has a valid skill and every skill a tool`, async () => {
      const skills = await Effect.runPromise(loadAgentSkills(agent));
      expect(skills.map((s) => s.tool).sort()).toEqual([...AGENT_TOOL_NAMES[agent]].sort());
      for (const s of skills) {
        expect(s.file.startsWith(skillsDirectoryOf(agent))).toBe(true);
        expect(s.description.length).toBeGreaterThan(20);
        for (const section of Object.values(s.sections)) expect(section.length).toBeGreaterThan(20);
      }
    });
  }

  it("loaded skills are the core's AgentSkill: they go into the agent-mode system prompt", async () => {
    const skills: ReadonlyArray<AgentSkill> = await Effect.runPromise(loadAgentSkills("eks"));
    const prompt = agentSystemPrompt({ agentId: "eks", description: "Kubernetes.", toolNames: ["pod_logs"], skills, maxToolCycles: 3 });
    expect(prompt).toContain("## pod_logs (tool pod_logs)");
    expect(prompt).toContain("## Honesty");
    expect(prompt).not.toContain("(tool describe_node)");
  });

  it("validates against the tools actually built, not only their names", async () => {
    const err = await failureOf(loadAgentSkills("incident-history", [{ name: "similar_incidents" }, { name: "forget_incident" }]));
    expect(err.reason).toBe("missing-skill");
    expect(err.file).toBe(join(skillsDirectoryOf("incident-history"), "forget_incident", "SKILL.md"));
  });

  it("an unknown agent is a typed error", async () => {
    const err = await failureOf(loadAgentSkills("kafka"));
    expect(err.message).toContain('no agent "kafka" ships skills');
  });
});

describe("skill errors name the file and the fix", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "skills-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const put = async (folder: string, text: string) => {
    await mkdir(join(dir, folder), { recursive: true });
    await writeFile(join(dir, folder, "SKILL.md"), text);
    return join(dir, folder, "SKILL.md");
  };
  const check = (tools: ReadonlyArray<string>) =>
    loadSkills(dir).pipe(
      Effect.flatMap((skills) => {
        const r = validateSkills(skills, tools.map((name) => ({ name })), dir);
        return Result.isSuccess(r) ? Effect.succeed(r.success) : Effect.fail(r.failure);
      })
    );

  it("loads a valid directory", async () => {
    await put("a_tool", skillText("a_tool"));
    await put("b_tool", skillText("b_tool"));
    const skills = await Effect.runPromise(check(["a_tool", "b_tool"]));
    expect(skills.map((s) => s.name)).toEqual(["a_tool", "b_tool"]);
    expect(skills[0]?.sections.Honesty).toBe("No guessing.");
  });

  it("missing SKILL.md for a tool", async () => {
    await put("a_tool", skillText("a_tool"));
    const err = await failureOf(check(["a_tool", "b_tool"]));
    expect(err.reason).toBe("missing-skill");
    expect(err.file).toBe(join(dir, "b_tool", "SKILL.md"));
    expect(err.message).toBe(`${join(dir, "b_tool", "SKILL.md")}: is missing: the tool "b_tool" needs a skill; create it with front matter name: b_tool, tool: b_tool and a description`);
  });

  it("a skill folder without SKILL.md", async () => {
    await mkdir(join(dir, "empty"));
    const err = await failureOf(check([]));
    expect(err.reason).toBe("missing-skill");
    expect(err.message).toContain(join(dir, "empty", "SKILL.md"));
  });

  it("a skill naming a tool that does not exist", async () => {
    const file = await put("a_tool", skillText("a_tool", "nope_tool"));
    const err = await failureOf(check(["a_tool"]));
    expect(err.reason).toBe("unknown-tool");
    expect(err.file).toBe(file);
    expect(err.message).toContain('maps to the tool "nope_tool", which this agent does not have (its tools: a_tool)');
  });

  it("name different from the folder", async () => {
    const file = await put("a_tool", skillText("other_name", "a_tool"));
    const err = await failureOf(check(["a_tool"]));
    expect(err.reason).toBe("name-mismatch");
    expect(err.message).toBe(`${file}: names the skill "other_name" but sits in the folder "a_tool"; rename one so they match`);
  });

  it("bad YAML", async () => {
    const file = await put("a_tool", "---\nname: [unclosed\ndescription: x\n---\n" + BODY);
    const err = await failureOf(check(["a_tool"]));
    expect(err.reason).toBe("bad-front-matter");
    expect(err.message.startsWith(`${file}: its front matter is not valid YAML`)).toBe(true);
  });

  it("no front matter, and front matter missing a field", async () => {
    const file = await put("a_tool", BODY);
    expect((await failureOf(check(["a_tool"]))).message).toBe(`${file}: has no front matter: start the file with a \`---\` line, then \`name:\`, \`description:\` and \`tool:\`, then a closing \`---\` line`);
    await put("a_tool", "---\nname: a_tool\ndescription: d\n---\n" + BODY);
    const err = await failureOf(check(["a_tool"]));
    expect(err.reason).toBe("bad-front-matter");
    expect(err.message).toContain("tool");
  });

  it("missing sections are all named", async () => {
    const file = await put("a_tool", skillText("a_tool", "a_tool", "## When to use\nx\n## output\ny\n"));
    const err = await failureOf(check(["a_tool"]));
    expect(err.reason).toBe("missing-section");
    expect(err.message).toBe(`${file}: lacks the sections "## Inputs", "## Honesty"; add those headings to the body`);
  });

  it("headings match case-insensitively and may continue (\"Honesty rules\"); headings inside code fences do not count", async () => {
    const body = "## WHEN TO USE\na\n## inputs\nb\n## Output:\nc\n```\n## Honesty\n```\n";
    expect(Result.isFailure(parseSkill("x/SKILL.md", skillText("x", "x", body)))).toBe(true);
    const ok = parseSkill("x/SKILL.md", skillText("x", "x", `${body}### Honesty rules\nd\n`));
    expect(Result.isSuccess(ok) ? ok.success.sections.Honesty : undefined).toBe("d");
  });

  it("an unreadable directory", async () => {
    const err = await failureOf(loadSkills(join(dir, "absent")));
    expect(err.reason).toBe("unreadable");
    expect(err.message).toContain(join(dir, "absent"));
  });
});

describe("front-matter parser properties", () => {
  const toolName = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
  const description = fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== "");

  it("round-trips generated name, description and tool", () => {
    fc.assert(
      fc.property(toolName, description, toolName, (name, desc, tool) => {
        const parsed = parseSkill(`/s/${name}/SKILL.md`, renderSkill({ name, description: desc, tool }, BODY));
        expect(Result.isSuccess(parsed)).toBe(true);
        const skill = (parsed as Result.Success<Skill, SkillError>).success;
        expect([skill.name, skill.description, skill.tool]).toEqual([name, desc, tool]);
        expect(Result.isSuccess(validateSkills([skill], [{ name: tool }], "/s"))).toBe(true);
      }),
      { numRuns: 300 }
    );
  });

  it("arbitrary text never throws and fails with a SkillError naming the file", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ maxLength: 300 }).map((s) => `---\n${s}\n---\n${BODY}`),
      fc.tuple(fc.string({ maxLength: 80 }), fc.string({ maxLength: 200 })).map(([a, b]) => `---\nname: ${a}\n---\n${b}`)
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseSkill("/x/SKILL.md", t);
        if (Result.isFailure(r)) {
          expect(r.failure).toBeInstanceOf(SkillError);
          expect(r.failure.message.startsWith("/x/SKILL.md: ")).toBe(true);
        }
      }),
      { numRuns: 500 }
    );
  });
});
