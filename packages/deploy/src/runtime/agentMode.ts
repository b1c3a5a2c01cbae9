import { type AgentSkill, type AgentTool, DEFAULT_MAX_TOOL_CYCLES, makeRedactor, type ModelPortShape, type PriceTable, redactSecrets, type Specialist, type SpecialistsShape, withAgentMode } from "@sre-on-call/core";
import { Result } from "effect";
import { type AppConfig, agentConfigOf } from "../config/AppConfig.js";
import { type Env, envValue, type Log, StartupError } from "./buildChats.js";
import { modelFromSpec, modelSpecFor } from "./buildModel.js";

export interface AgentModeDeps {
  readonly config: AppConfig;
  readonly env: Env;
  readonly log: Log;
  /** The agent's built-in tools (its deterministic queries). */
  readonly toolsFor: (id: string) => ReadonlyArray<AgentTool>;
  /** The agent's skills (`skills/<name>/SKILL.md`), for the system prompt. */
  readonly skillsFor: (id: string) => ReadonlyArray<AgentSkill>;
  /** Tools of the agent's MCP servers; a failure leaves the agent with its built-in tools. */
  readonly mcpToolsFor?: (id: string) => Promise<ReadonlyArray<AgentTool>>;
  /** The model for an agent's spec; default `modelFromSpec` (Bedrock or OpenAI-compatible, redacting). */
  readonly modelFor?: (spec: string, env: Env, key: string) => ModelPortShape | undefined;
  readonly priceTable?: PriceTable;
}


/** `redaction.patterns` compiled by the same redactor config validation and reports use. */
const redactionOf = (config: AppConfig): ReadonlyArray<RegExp> => {
  const redactor = makeRedactor(config.redaction.patterns);
  if (Result.isFailure(redactor)) throw new StartupError(redactor.failure.message);
  return redactor.success.extra;
};

/**
 * Wraps every enabled specialist whose `agents.<id>.mode` is `agent` in agent mode, when a model
 * is configured for it (`agents.<id>.model` → SRE_ON_CALL_MODEL → `defaults.model`). With mode
 * `agent` but no model it stays deterministic and a warning says so. Built-in tools win over MCP
 * tools of the same name. A bad model spec is a StartupError naming the key.
 */
export const applyAgentMode = async (specialists: SpecialistsShape, deps: AgentModeDeps): Promise<SpecialistsShape> => {
  const redact = { extra: redactionOf(deps.config) };
  const modelFor = deps.modelFor ?? modelFromSpec;
  const enabled: Array<Specialist> = [];
  for (const specialist of specialists.enabled) {
    const id = specialist.id;
    const settings = agentConfigOf(deps.config, id);
    if (settings?.mode !== "agent") {
      enabled.push(specialist);
      continue;
    }
    const spec = modelSpecFor(deps.config, deps.env, id);
    const key = settings.model !== undefined ? `agents.${id}.model` : envValue(deps.env, "SRE_ON_CALL_MODEL") !== undefined ? "SRE_ON_CALL_MODEL" : "defaults.model";
    const model = modelFor(spec, deps.env, key);
    if (model === undefined) {
      deps.log("warn", `agents.${id}.mode is "agent" but no model is configured (set agents.${id}.model, SRE_ON_CALL_MODEL or defaults.model); ${id} runs deterministically`, { agent: id });
      enabled.push(specialist);
      continue;
    }
    const builtin = deps.toolsFor(id);
    const tools = [...builtin, ...(await mcpTools(id, builtin, deps))];
    try {
      enabled.push(
        withAgentMode({
          specialist,
          tools,
          model,
          skills: deps.skillsFor(id),
          maxToolCycles: settings.max_tool_cycles ?? DEFAULT_MAX_TOOL_CYCLES,
          budgetMs: (settings.deadline_seconds ?? deps.config.defaults.agent_deadline_seconds) * 1_000,
          redact,
          ...(deps.priceTable !== undefined ? { priceTable: deps.priceTable } : {})
        })
      );
    } catch (e) {
      throw new StartupError(`agents.${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
    deps.log("info", `${id} runs in agent mode`, { agent: id, tools: tools.map((t) => t.name), maxToolCycles: settings.max_tool_cycles ?? DEFAULT_MAX_TOOL_CYCLES });
  }
  return { enabled, disabled: specialists.disabled };
};

const mcpTools = async (id: string, builtin: ReadonlyArray<AgentTool>, deps: AgentModeDeps): Promise<ReadonlyArray<AgentTool>> => {
  if (deps.mcpToolsFor === undefined) return [];
  let tools: ReadonlyArray<AgentTool>;
  try {
    tools = await deps.mcpToolsFor(id);
  } catch (e) {
    deps.log("warn", `${id}: the tools of its MCP servers could not be listed; it runs with its built-in tools`, { agent: id, error: e instanceof Error ? redactSecrets(e.message.slice(0, 300)) : "unknown error" });
    return [];
  }
  const taken = new Set(builtin.map((t) => t.name));
  return tools.filter((t) => {
    if (!taken.has(t.name)) {
      taken.add(t.name);
      return true;
    }
    deps.log("warn", `${id}: MCP tool ${t.name} (${t.origin}) has the name of another tool and is not offered`, { agent: id });
    return false;
  });
};
