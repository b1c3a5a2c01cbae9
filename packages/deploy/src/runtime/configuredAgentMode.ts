import { connectMcpServers } from "@sre-on-call/adapters";
import { loadAgentSkills, type Skill } from "@sre-on-call/agents";
import type { AgentTool, Specialist, SpecialistsShape } from "@sre-on-call/core";
import { Effect, Exit } from "effect";
import { type AppConfig, agentConfigOf } from "../config/AppConfig.js";
import { applyAgentMode } from "./agentMode.js";
import { type Env, type Log, StartupError } from "./buildChats.js";

/** A built specialist and, for agent mode, its tools (made only when needed). */
export interface BuiltSpecialist {
  readonly specialist: Specialist;
  readonly tools?: () => ReadonlyArray<AgentTool>;
}

export interface ConfiguredAgentModeDeps {
  readonly config: AppConfig;
  readonly env: Env;
  readonly log: Log;
  /** Receives what must be closed on shutdown (MCP server connections and their child processes). */
  readonly onClose?: (close: () => Promise<void>) => void;
}


const MCP_CONNECT_TIMEOUT_MS = 15_000;

/**
 * The startup check and selection of an agent's skills: every tool must have its
 * `skills/<tool>/SKILL.md` (a missing or mismatched bundle is a startup error naming the file),
 * and `agents.<id>.skills`, when set, narrows the tools offered to the named ones.
 */
const skillsAndTools = async (id: string, tools: ReadonlyArray<AgentTool>, selected: ReadonlyArray<string> | undefined) => {
  const loaded = await Effect.runPromiseExit(loadAgentSkills(id, tools));
  if (Exit.isFailure(loaded)) {
    const error = loaded.cause.toString().split("\n")[0] ?? "unknown error";
    throw new StartupError(`agents.${id}: the agent's skills do not load: ${error.replace(/^(Error|SkillError): /, "")}`);
  }
  const skills: ReadonlyArray<Skill> = loaded.value;
  if (selected === undefined) return { skills, tools };
  const unknown = selected.filter((name) => !skills.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new StartupError(`agents.${id}.skills: unknown skill${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => JSON.stringify(u)).join(", ")}; this agent has: ${skills.map((s) => s.name).join(", ")}.`);
  }
  const keep = new Set(selected);
  const chosen = skills.filter((s) => keep.has(s.name));
  const toolNames = new Set(chosen.map((s) => s.tool ?? s.name));
  return { skills: chosen, tools: tools.filter((t) => toolNames.has(t.name)) };
};

/**
 * Wraps the specialists config.yaml puts in `mode: agent` (and that have a model) in agent mode
 * with their tools, validated skills and the tools of their MCP servers. Agents in deterministic
 * mode, and remote ones (they run agent mode in their own process), are returned as they are.
 */
export const applyConfiguredAgentMode = async (built: ReadonlyArray<BuiltSpecialist>, disabled: ReadonlyArray<string>, deps: ConfiguredAgentModeDeps): Promise<SpecialistsShape> => {
  const shape: SpecialistsShape = { enabled: built.map((b) => b.specialist), disabled };
  const candidates = built.filter((b) => agentConfigOf(deps.config, b.specialist.id)?.mode === "agent");
  if (candidates.length === 0) return shape;
  const tools = new Map<string, ReadonlyArray<AgentTool>>();
  const skills = new Map<string, ReadonlyArray<Skill>>();
  for (const b of candidates) {
    const id = b.specialist.id;
    if (b.tools === undefined) {
      deps.log("warn", `agents.${id}.mode is "agent" but ${id} runs remotely or has no tools here; agent mode is applied where it runs`, { agent: id });
      continue;
    }
    const chosen = await skillsAndTools(id, b.tools(), agentConfigOf(deps.config, id)?.skills);
    tools.set(id, chosen.tools);
    skills.set(id, chosen.skills);
  }
  // Only agents whose tools are known here are wrapped; the rest stay as built.
  const local: SpecialistsShape = { enabled: shape.enabled.filter((s) => tools.has(s.id)), disabled };
  const wrapped = await applyAgentMode(
    local,
    {
      config: deps.config,
      env: deps.env,
      log: deps.log,
      toolsFor: (id) => tools.get(id) ?? [],
      skillsFor: (id) => skills.get(id) ?? [],
      mcpToolsFor: async (id) => {
        const servers = agentConfigOf(deps.config, id)?.mcp_servers ?? [];
        if (servers.length === 0 || !tools.has(id)) return [];
        const connection = await Effect.runPromise(
          connectMcpServers(servers, {
            env: deps.env,
            timeoutMs: MCP_CONNECT_TIMEOUT_MS,
            log: { warn: (fields, message) => deps.log("warn", message, { agent: id, ...fields }), debug: () => undefined }
          })
        );
        deps.onClose?.(() => Effect.runPromise(connection.close));
        for (const failure of connection.failures) deps.log("error", `agents.${id}.mcp_servers: ${failure.message}`, { agent: id, server: failure.server, reason: failure.reason });
        for (const server of connection.servers) deps.log("info", `agents.${id}: MCP server ${server.name} connected`, { agent: id, server: server.name, tools: server.tools });
        return connection.tools;
      }
    }
  );
  const byId = new Map(wrapped.enabled.map((s) => [s.id, s] as const));
  return { enabled: shape.enabled.map((s) => byId.get(s.id) ?? s), disabled };
};
