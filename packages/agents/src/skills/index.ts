export { parseSkill, renderSkill, validateSkills, folderOf, REQUIRED_SECTIONS, SkillError, SkillFailure, SkillFrontMatter, type Skill, type SkillSection } from "./Skill.js";
export { loadSkills } from "./loadSkills.js";
export { AGENT_TOOL_NAMES, isToolAgentId, loadAgentSkills, skillsDirectoryOf, type ToolAgentId } from "./agentSkills.js";
export { capText, guardTool, MAX_TOOL_TEXT, type GuardOptions } from "./guardTool.js";
