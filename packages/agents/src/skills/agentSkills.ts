import { fileURLToPath } from "node:url";
import type { AgentTool } from "@sre-on-call/core";
import { Effect, Result } from "effect";
import { CHAT_HISTORY_TOOL_NAMES } from "../chat-history/tools/chatHistoryTools.js";
import { CLOUDWATCH_LOGS_TOOL_NAMES } from "../cloudwatch-logs/tools/cloudWatchLogsTools.js";
import { EKS_TOOL_NAMES } from "../eks/tools/eksTools.js";
import { INCIDENT_HISTORY_TOOL_NAMES } from "../incident-history/tools/incidentHistoryTools.js";
import { PROMETHEUS_TOOL_NAMES } from "../prometheus/tools/prometheusTools.js";
import { loadSkills } from "./loadSkills.js";
import { type Skill, SkillError, validateSkills } from "./Skill.js";

/** The agents that ship tools, by the id config.yaml gives them; both chat-history agents share one folder. */
export const AGENT_TOOL_NAMES = {
  eks: EKS_TOOL_NAMES,
  prometheus: PROMETHEUS_TOOL_NAMES,
  "cloudwatch-logs": CLOUDWATCH_LOGS_TOOL_NAMES,
  "slack-history": CHAT_HISTORY_TOOL_NAMES,
  "discord-history": CHAT_HISTORY_TOOL_NAMES,
  "incident-history": INCIDENT_HISTORY_TOOL_NAMES
} as const satisfies Readonly<Record<string, ReadonlyArray<string>>>;
export type ToolAgentId = keyof typeof AGENT_TOOL_NAMES;

const FOLDER: Readonly<Record<ToolAgentId, string>> = {
  eks: "eks",
  prometheus: "prometheus",
  "cloudwatch-logs": "cloudwatch-logs",
  "slack-history": "chat-history",
  "discord-history": "chat-history",
  "incident-history": "incident-history"
};

export const isToolAgentId = (id: string): id is ToolAgentId => Object.hasOwn(AGENT_TOOL_NAMES, id);

/** Absolute path of an agent's `skills/` directory, resolved from this module (works from `src` under tsx). */
export const skillsDirectoryOf = (agentId: ToolAgentId): string => fileURLToPath(new URL(`../${FOLDER[agentId]}/skills/`, import.meta.url)).replace(/[\\/]+$/, "");

/**
 * Loads an agent's skills and validates them against its tools (the given ones, or the names the
 * agent ships): the startup check. Any problem is a SkillError naming the file and the fix.
 */
export const loadAgentSkills = (agentId: string, tools?: ReadonlyArray<Pick<AgentTool, "name">>): Effect.Effect<ReadonlyArray<Skill>, SkillError> =>
  Effect.suspend(() => {
    if (!isToolAgentId(agentId)) {
      const known = Object.keys(AGENT_TOOL_NAMES).join(", ");
      return Effect.fail(new SkillError({ file: `${agentId}/skills`, reason: "unreadable", detail: `no agent ${JSON.stringify(agentId)} ships skills (agents with tools: ${known})` }));
    }
    const directory = skillsDirectoryOf(agentId);
    const expected = tools ?? AGENT_TOOL_NAMES[agentId].map((name) => ({ name }));
    return loadSkills(directory).pipe(
      Effect.flatMap((skills) => {
        const valid = validateSkills(skills, expected, directory);
        return Result.isSuccess(valid) ? Effect.succeed(valid.success) : Effect.fail(valid.failure);
      })
    );
  });
