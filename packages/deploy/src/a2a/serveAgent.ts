import { join, resolve } from "node:path";
import { EmbeddedStore, makeConsoleChat, makeEmbeddedIncidentMemory } from "@sre-on-call/adapters";
import type { A2aReply, A2aRequest } from "@sre-on-call/adapters/a2a/wire";
import type { Specialist, SpecialistsShape } from "@sre-on-call/core";
import { Cause, Effect, Exit } from "effect";
import { AGENT_IDS, type AppConfig, agentConfigOf, synthesisReserveSeconds } from "../config/AppConfig.js";
import { type HostSynthesis, synthesisFromConfig } from "../runtime/synthesisFromConfig.js";
import { makeInvestigationRunner } from "../runtime/InvestigationRunner.js";
import { buildChats, type Env, type Log, StartupError } from "../runtime/buildChats.js";
import { buildOneSpecialist, buildSpecialists, SPECIALIST_ORDER, type SpecialistId } from "../runtime/buildSpecialists.js";
import { applyConfiguredAgentMode } from "../runtime/configuredAgentMode.js";
import { AGENT_DESCRIPTIONS } from "../runtime/remoteSpecialists.js";
import { type RunningA2aServer, type ServedAgent, startA2aServer } from "./startA2aServer.js";

/** The agent cannot be served: unknown id, disabled, or nothing to serve it with. Exit status 2. */
export class AgentRefused extends Error {
  override readonly name = "AgentRefused";
}

const failureReply = (agent: string, cause: Cause.Cause<unknown>): A2aReply => {
  const failure = cause.reasons.find((r) => r._tag === "Fail");
  if (failure !== undefined && failure._tag === "Fail") {
    const e = failure.error as { kind?: unknown; reason?: unknown };
    if (typeof e.kind === "string" && typeof e.reason === "string" && ["error", "unhealthy", "timeout", "crashed", "unavailable"].includes(e.kind)) {
      return { kind: "failure", agent, failure: e.kind as "error", reason: e.reason };
    }
  }
  return { kind: "failure", agent, failure: Cause.hasInterrupts(cause) ? "timeout" : "crashed", reason: Cause.hasInterrupts(cause) ? "interrupted at the deadline" : "the agent crashed; see its logs" };
};

/** Runs `effect` until `deadline` at the latest: a specialist that overruns is cut off here too. */
const byDeadline = <A, E>(effect: Effect.Effect<A, E>, deadline: number) =>
  Effect.runPromiseExit(effect.pipe(Effect.timeoutOrElse({ duration: Math.max(0, deadline - Date.now()), orElse: () => Effect.interrupt })));

/** A specialist as an A2A server serves it: the same calls an in-process orchestrator makes. */
export const servedSpecialist = (specialist: Specialist): ServedAgent => ({
  id: specialist.id,
  description: specialist.description,
  skills: [
    { id: "investigate", name: "Investigate an alert", description: `${specialist.description} Input: {kind: "investigate", alert, deadline}; output: an AgentResult.`, tags: ["investigation", specialist.id] },
    { id: "snapshot", name: "Health snapshot", description: `A health section for /sre-snapshot. Input: {kind: "snapshot", deadline}; output: a SnapshotSection.`, tags: ["snapshot", specialist.id] }
  ],
  handle: async (request: A2aRequest): Promise<A2aReply> => {
    if (request.kind === "investigate") {
      const exit = await byDeadline(specialist.investigate(request.alert, { deadline: request.deadline }), request.deadline);
      return Exit.isSuccess(exit) ? { kind: "result", result: exit.value } : failureReply(specialist.id, exit.cause);
    }
    const exit = await byDeadline(specialist.snapshot({ deadline: request.deadline }), request.deadline);
    return Exit.isSuccess(exit) ? { kind: "snapshot", section: exit.value } : failureReply(specialist.id, exit.cause);
  }
});

export interface MasterSettings {
  readonly reportAfterSeconds: number;
  readonly synthesisReserveSeconds: number;
  /** The master's synthesis model, routing and report redaction (from config.yaml), when configured. */
  readonly synthesis?: HostSynthesis;
}

/**
 * The master: an alert in, the incident report out. It runs the same orchestrator as the local
 * server over the specialists it is given (remote ones over A2A), ending at the caller's deadline.
 */
export const servedMaster = (specialists: SpecialistsShape, settings: MasterSettings): ServedAgent => ({
  id: "master",
  description: AGENT_DESCRIPTIONS["master"] ?? "master",
  skills: [
    { id: "investigate", name: "Investigate an alert", description: `Fans an alert out to ${specialists.enabled.map((s) => s.id).join(", ") || "no specialists"} and answers with the InvestigationReport. Input: {kind: "investigate", alert, deadline}.`, tags: ["investigation", "orchestration"] }
  ],
  handle: async (request: A2aRequest): Promise<A2aReply> => {
    if (request.kind !== "investigate") return { kind: "failure", agent: "master", failure: "error", reason: "the master answers investigations; ask each specialist for its snapshot section" };
    const budgetSeconds = Math.max(0, (request.deadline - Date.now()) / 1000);
    const runner = makeInvestigationRunner({
      specialists,
      ...(settings.synthesis?.synthesisModel !== undefined ? { synthesisModel: settings.synthesis.synthesisModel } : {}),
      ...(settings.synthesis?.route !== undefined ? { route: settings.synthesis.route } : {}),
      ...(settings.synthesis !== undefined ? { redactReport: settings.synthesis.redactDeep } : {}),
      settings: { reportAfterSeconds: Math.min(settings.reportAfterSeconds, budgetSeconds), synthesisReserveSeconds: Math.min(settings.synthesisReserveSeconds, budgetSeconds / 10), hardCutoffSeconds: budgetSeconds }
    });
    // The caller posts the report: the master's own chat is a sink.
    // The report is due by the alert's deadline, and never after the caller stops waiting.
    const alert = { ...request.alert, deadline: Math.min(request.alert.deadline, request.deadline) };
    const exit = await Effect.runPromiseExit(runner.runToEnd(alert, makeConsoleChat({ write: () => undefined })));
    if (Exit.isSuccess(exit)) return { kind: "report", report: exit.value.final };
    const squashed = Cause.squash(exit.cause);
    return { kind: "failure", agent: "master", failure: "error", reason: squashed instanceof Error ? squashed.message : "the investigation failed" };
  }
});

export interface ServeAgentOptions {
  readonly config: AppConfig;
  readonly env: Env;
  readonly cwd: string;
  readonly host: string;
  readonly port: number;
  readonly log: Log;
}

export interface ServingAgent extends RunningA2aServer {
  readonly agent: ServedAgent;
}

const isSpecialistId = (id: string): id is SpecialistId => (SPECIALIST_ORDER as ReadonlyArray<string>).includes(id);

/**
 * Starts agent `id` from config.yaml as an A2A server. Specialists are built exactly as the
 * local server builds them in-process; the master reaches the specialists config.yaml and the
 * environment point it at. Unknown or disabled agents are refused with a message saying why.
 */
export const serveAgent = async (id: string, options: ServeAgentOptions): Promise<ServingAgent> => {
  const { config, env, cwd, log } = options;
  if (!(AGENT_IDS as ReadonlyArray<string>).includes(id)) throw new AgentRefused(`unknown agent "${id}"; the agents are: ${AGENT_IDS.join(", ")}.`);
  const agentConfig = agentConfigOf(config, id);
  if (agentConfig?.enabled === false) throw new AgentRefused(`agent "${id}" is disabled in config.yaml (agents.${id}.enabled: false); enable it to serve it.`);
  const closers: Array<() => Promise<void>> = [];
  let agent: ServedAgent;
  try {
    if (id === "master") {
      const specialists = await buildSpecialists({ config, cwd, log, env, chats: {}, onClose: (close) => void closers.push(close) });
      const synthesis = synthesisFromConfig(config, env);
      agent = servedMaster(specialists, { reportAfterSeconds: config.investigation.report_after_seconds, synthesisReserveSeconds: synthesisReserveSeconds(config, synthesis.synthesisModel !== undefined), synthesis });
    } else if (isSpecialistId(id)) {
      const chats = id === "slack-history" || id === "discord-history" ? (await buildChats(config, env, log, () => undefined)).chats : {};
      let memory;
      if (id === "incident-history") {
        const store = await EmbeddedStore.open({ directory: join(resolve(cwd, config.store.directory), "store") }).catch((error: unknown) => {
          throw new StartupError(`cannot open the incident store in ${resolve(cwd, config.store.directory)}: ${error instanceof Error ? error.message : String(error)}`);
        });
        closers.push(() => store.close());
        memory = makeEmbeddedIncidentMemory(store);
      }
      const built = await buildOneSpecialist(id, { config, cwd, log, env, chats, ...(memory !== undefined ? { memory } : {}) });
      if (built === undefined) throw new AgentRefused(`agent "${id}" is not configured in config.yaml (add agents.${id} with its data_source).`);
      if ("disabled" in built) throw new AgentRefused(`agent "${id}" cannot be served: ${built.disabled}.`);
      // A specialist in `mode: agent` runs its model loop here, in its own runtime.
      const shaped = await applyConfiguredAgentMode([built], [], { config, env, log, onClose: (close) => void closers.push(close) });
      agent = servedSpecialist(shaped.enabled[0] ?? built.specialist);
    } else {
      throw new AgentRefused(`agent "${id}" is not available in this build.`);
    }
    const publicUrl = env["AGENTCORE_RUNTIME_URL"];
    const server = await startA2aServer(agent, { host: options.host, port: options.port, log, ...(publicUrl !== undefined && publicUrl !== "" ? { publicUrl } : {}) });
    return {
      ...server,
      agent,
      close: async () => {
        await server.close();
        for (const close of closers) await close();
      }
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
};
