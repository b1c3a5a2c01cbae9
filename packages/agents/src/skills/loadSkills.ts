import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect, Result } from "effect";
import { parseSkill, type Skill, SkillError } from "./Skill.js";

const MAX_SKILL_BYTES = 64 * 1024;

const reasonOf = (e: unknown) => (typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : e instanceof Error ? e.message : String(e));

/**
 * Reads every `<directory>/<name>/SKILL.md`, in folder order. A folder without a SKILL.md, an
 * unreadable or oversized file, or one that does not parse is a SkillError naming the file.
 */
export const loadSkills = (directory: string): Effect.Effect<ReadonlyArray<Skill>, SkillError> =>
  Effect.gen(function* () {
    const entries = yield* Effect.tryPromise({
      try: () => readdir(directory, { withFileTypes: true }),
      catch: (e) => new SkillError({ file: directory, reason: "unreadable", detail: `the skills directory cannot be read (${reasonOf(e)}); create it with one <tool>/SKILL.md per tool` })
    });
    const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
    const skills: Array<Skill> = [];
    for (const folder of folders) {
      const file = join(directory, folder, "SKILL.md");
      const text = yield* Effect.tryPromise({
        try: () => readFile(file),
        catch: (e) =>
          reasonOf(e) === "ENOENT"
            ? new SkillError({ file, reason: "missing-skill", detail: `is missing: the folder ${folder} needs a SKILL.md (or remove the folder)` })
            : new SkillError({ file, reason: "unreadable", detail: `cannot be read (${reasonOf(e)})` })
      });
      if (text.byteLength > MAX_SKILL_BYTES) return yield* Effect.fail(new SkillError({ file, reason: "unreadable", detail: `is ${text.byteLength} bytes, more than the ${MAX_SKILL_BYTES} a skill may have; shorten it` }));
      const parsed = parseSkill(file, text.toString("utf8"));
      if (Result.isFailure(parsed)) return yield* Effect.fail(parsed.failure);
      skills.push(parsed.success);
    }
    return skills;
  });
