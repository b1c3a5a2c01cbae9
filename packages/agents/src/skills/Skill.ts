import { type AgentTool, decodeUnknown, TOOL_NAME } from "@sre-on-call/core";
import { Result, Schema } from "effect";
import { parse as parseYaml } from "yaml";

/** The body sections every SKILL.md has, matched case-insensitively at the start of a heading. */
export const REQUIRED_SECTIONS = ["When to use", "Inputs", "Output", "Honesty"] as const;
export type SkillSection = (typeof REQUIRED_SECTIONS)[number];

/**
 * Why a skills directory was refused:
 * - `missing-skill`: a tool has no `skills/<tool>/SKILL.md` (or a skill folder has no SKILL.md);
 * - `unknown-tool`: a skill names a tool the agent does not have;
 * - `name-mismatch`: the front matter's `name` is not the folder's name;
 * - `bad-front-matter`: no `---` block, YAML that does not parse, or fields missing or of the wrong type;
 * - `missing-section`: the body lacks one of the required headings;
 * - `unreadable`: the directory or the file cannot be read.
 */
export const SkillFailure = Schema.Literals(["missing-skill", "unknown-tool", "name-mismatch", "bad-front-matter", "missing-section", "unreadable"]);
export type SkillFailure = typeof SkillFailure.Type;

export class SkillError extends Schema.TaggedError<SkillError>()("SkillError", {
  /** The SKILL.md at fault (or the one that should exist), as an absolute path when loaded from disk. */
  file: Schema.String,
  reason: SkillFailure,
  /** What is wrong and how to fix it. */
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.file}: ${this.detail}`;
  }
}

/** The front matter of a SKILL.md. */
export const SkillFrontMatter = Schema.Struct({
  name: Schema.String.pipe(Schema.check(Schema.isPattern(TOOL_NAME))),
  description: Schema.String.pipe(Schema.check(Schema.isMinLength(1))),
  tool: Schema.String.pipe(Schema.check(Schema.isPattern(TOOL_NAME)))
});
export type SkillFrontMatter = typeof SkillFrontMatter.Type;

export interface Skill extends SkillFrontMatter {
  readonly file: string;
  /** The Markdown after the front matter. */
  readonly body: string;
  /** Each required section's text (without its heading). */
  readonly sections: Readonly<Record<SkillSection, string>>;
}

const decodeFrontMatter = decodeUnknown(SkillFrontMatter, "SKILL.md front matter");
const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const HEADING = /^#{1,6}[ \t]+(.+?)[ \t#]*$/;

const sectionOf = (heading: string): SkillSection | undefined => {
  const h = heading.trim().toLowerCase();
  return REQUIRED_SECTIONS.find((s) => h === s.toLowerCase() || h.startsWith(`${s.toLowerCase()} `) || h.startsWith(`${s.toLowerCase()}:`));
};

/** The body split at its headings; a required section's text is everything up to the next heading of any kind. */
const sectionsOf = (body: string): Partial<Record<SkillSection, string>> => {
  const out: Partial<Record<SkillSection, string>> = {};
  let current: SkillSection | undefined;
  let lines: Array<string> = [];
  const flush = () => {
    if (current !== undefined && out[current] === undefined) out[current] = lines.join("\n").trim();
  };
  let fence = false;
  for (const line of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const heading = fence ? null : HEADING.exec(line);
    if (heading !== null) {
      flush();
      current = sectionOf(heading[1] ?? "");
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
};

/**
 * Parses one SKILL.md: YAML front matter (`name`, `description`, `tool`) between `---` lines,
 * then a Markdown body with the required sections. Pure and total: any text gives a skill or a
 * SkillError naming `file`, never a throw.
 */
export const parseSkill = (file: string, text: string): Result.Result<Skill, SkillError> => {
  const fail = (reason: SkillFailure, detail: string) => Result.fail(new SkillError({ file, reason, detail }));
  const match = FRONT_MATTER.exec(text);
  if (match === null) return fail("bad-front-matter", "has no front matter: start the file with a `---` line, then `name:`, `description:` and `tool:`, then a closing `---` line");
  let raw: unknown;
  try {
    raw = parseYaml(match[1] ?? "", { prettyErrors: true, maxAliasCount: 10, logLevel: "error" });
  } catch (e) {
    return fail("bad-front-matter", `its front matter is not valid YAML (${(e instanceof Error ? e.message : String(e)).split("\n")[0] ?? ""}); fix the YAML between the --- lines`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("bad-front-matter", "its front matter must be a YAML mapping with `name`, `description` and `tool`");
  const decoded = decodeFrontMatter(raw);
  if (Result.isFailure(decoded)) {
    return fail("bad-front-matter", `its front matter is invalid: ${decoded.failure.reason.replace(/\s+/g, " ")}; it needs \`name\` and \`tool\` (tool names: ${String(TOOL_NAME)}) and a non-empty \`description\``);
  }
  const body = text.slice(match[0].length);
  const found = sectionsOf(body);
  const missing = REQUIRED_SECTIONS.filter((s) => found[s] === undefined);
  if (missing.length > 0) return fail("missing-section", `lacks the section${missing.length === 1 ? "" : "s"} ${missing.map((s) => `"## ${s}"`).join(", ")}; add ${missing.length === 1 ? "that heading" : "those headings"} to the body`);
  const sections = Object.fromEntries(REQUIRED_SECTIONS.map((s) => [s, found[s] ?? ""])) as Record<SkillSection, string>;
  return Result.succeed({ ...decoded.success, file, body, sections });
};

/** A SKILL.md's text from its front-matter fields and body (for tests and tooling). */
export const renderSkill = (front: SkillFrontMatter, body: string): string =>
  `---\nname: ${JSON.stringify(front.name)}\ndescription: ${JSON.stringify(front.description)}\ntool: ${JSON.stringify(front.tool)}\n---\n${body}`;

/** The folder a skill's file sits in: `…/skills/<name>/SKILL.md` → `<name>`. */
export const folderOf = (file: string): string => {
  const parts = file.split(/[\\/]/);
  return parts.at(-2) ?? "";
};

/**
 * Checks loaded skills against the tools they describe: each skill's `name` is its folder, its
 * `tool` exists, and every tool has a skill. The first problem is the error.
 */
export const validateSkills = (skills: ReadonlyArray<Skill>, tools: ReadonlyArray<Pick<AgentTool, "name">>, directory: string): Result.Result<ReadonlyArray<Skill>, SkillError> => {
  const names = new Set(tools.map((t) => t.name));
  for (const skill of skills) {
    const folder = folderOf(skill.file);
    if (skill.name !== folder) return Result.fail(new SkillError({ file: skill.file, reason: "name-mismatch", detail: `names the skill ${JSON.stringify(skill.name)} but sits in the folder ${JSON.stringify(folder)}; rename one so they match` }));
    if (!names.has(skill.tool)) {
      const known = [...names].sort().join(", ") || "none";
      return Result.fail(new SkillError({ file: skill.file, reason: "unknown-tool", detail: `maps to the tool ${JSON.stringify(skill.tool)}, which this agent does not have (its tools: ${known}); fix \`tool:\` or remove the skill` }));
    }
  }
  const described = new Set(skills.map((s) => s.tool));
  for (const tool of tools) {
    if (!described.has(tool.name)) {
      const file = `${directory.replace(/[\\/]+$/, "")}/${tool.name}/SKILL.md`;
      return Result.fail(new SkillError({ file, reason: "missing-skill", detail: `is missing: the tool ${JSON.stringify(tool.name)} needs a skill; create it with front matter name: ${tool.name}, tool: ${tool.name} and a description` }));
    }
  }
  return Result.succeed(skills);
};
