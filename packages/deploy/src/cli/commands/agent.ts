import { resolve } from "node:path";
import { terminalJson } from "@sre-on-call/adapters";
import { Result } from "effect";
import { logRedactor } from "../../runtime/logRedactor.js";
import { AgentRefused, serveAgent } from "../../a2a/serveAgent.js";
import { AGENT_IDS } from "../../config/AppConfig.js";
import { loadConfigFile } from "../../config/loadConfig.js";
import { CONFIG_SSM_PARAMETER_ENV, loadConfigSource } from "../../config/loadConfigFromSsm.js";
import { withSecretsFromAws } from "../../runtime/secretsFromAws.js";
import { StartupError } from "../../runtime/buildChats.js";
import { type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";

const usage = `Usage:
  sre-on-call agent serve --id ID [--port 9000] [--host 127.0.0.1] [--config FILE]

Serves one agent from config.yaml as an A2A server, on Bedrock AgentCore's A2A contract:
  POST /                            JSON-RPC 2.0 message/send (A2A v0.3; v1.0 SendMessage too)
  GET  /.well-known/agent-card.json the agent card (skills, input/output modes)
  GET  /ping                        {"status":"Healthy"|"HealthyBusy","time_of_last_update":…}

The request is a data part {kind: "investigate", alert, deadline} or {kind: "snapshot", deadline};
the answer is a data part (AgentResult, SnapshotSection, or for the master the InvestigationReport)
with a short text rendering beside it.

Agents: ${AGENT_IDS.join(", ")}
  A specialist is built exactly as the local server builds it in-process (same data sources).
  master runs whole investigations, reaching each specialist at its A2A endpoint:
  agents.<id>.url / agents.<id>.runtime_arn in config.yaml, or <AGENT>_AGENT_URL /
  <AGENT>_AGENT_RUNTIME_ARN (for example CLOUDWATCH_LOGS_AGENT_URL=http://127.0.0.1:9003/).

Options:
  --id ID        the agent to serve (required)
  --port N       port to listen on (default 9000, AgentCore's A2A port; 0 picks a free one)
  --host ADDR    address to bind (default 127.0.0.1; use 0.0.0.0 in a container)
  --config FILE  config file (default: the SSM parameter SRE_CONFIG_SSM_PARAMETER names, else
                 SRE_ON_CALL_CONFIG, else config.yaml)

Chat tokens for the history agents come from the environment, or from the Secrets Manager secrets
SRE_SLACK_SECRET_ARN / SRE_DISCORD_SECRET_ARN name (as the AWS deployment sets them).

An unknown or disabled agent is refused with exit status 2. Stops on SIGINT/SIGTERM.
`;

export const agentCommand: Command = {
  name: "agent",
  summary: "serve one agent (master or a specialist) as an A2A server",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, {
      id: { type: "string" },
      config: { type: "string", short: "c" },
      host: { type: "string" },
      port: { type: "string", short: "p" }
    });
    if (positionals[0] !== "serve") throw new UsageError(positionals.length === 0 ? "say what to do: sre-on-call agent serve --id ID." : `unknown subcommand "${positionals[0]}"; the only one is "serve".`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}".`);
    const id = values["id"];
    if (typeof id !== "string" || id === "") throw new UsageError(`--id is required (one of ${AGENT_IDS.join(", ")}).`);
    const port = Number(typeof values["port"] === "string" ? values["port"] : "9000");
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be an integer between 0 and 65535.");
    const host = typeof values["host"] === "string" ? values["host"] : "127.0.0.1";
    // On AgentCore the config comes from the SSM parameter the deployment names (SRE_CONFIG_SSM_PARAMETER).
    const fromSsm = typeof values["config"] !== "string" && (io.env[CONFIG_SSM_PARAMETER_ENV] ?? "").trim() !== "";
    const loaded = fromSsm
      ? await loadConfigSource(io.env, { cwd: io.cwd })
      : await loadConfigFile(resolve(io.cwd, typeof values["config"] === "string" ? values["config"] : (io.env["SRE_ON_CALL_CONFIG"] ?? "config.yaml")));
    if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
    // Chat tokens (chat-history agents) from the Secrets Manager secrets the deployment names.
    let env = io.env;
    try {
      env = await withSecretsFromAws(io.env);
    } catch (error) {
      throw new CommandFailed(error instanceof Error ? error.message : String(error));
    }
    // Log fields carry reasons and errors that can quote alert or chat text: redacted like every other exit.
    const redactLog = logRedactor(loaded.success.redaction.patterns);
    const log = (level: string, message: string, fields?: Readonly<Record<string, unknown>>) =>
      io.stderr(`${terminalJson({ time: new Date().toISOString(), level, agent: id, message, ...redactLog(fields) })}\n`);
    let serving;
    try {
      serving = await serveAgent(id, { config: loaded.success, env, cwd: io.cwd, host, port, log });
    } catch (error) {
      if (error instanceof AgentRefused) throw new CommandFailed(error.message, 2);
      if (error instanceof StartupError) throw new CommandFailed(error.message);
      const message = error instanceof Error ? error.message : String(error);
      throw new CommandFailed(/EADDRINUSE|EACCES|EADDRNOTAVAIL/.test(message) ? `cannot listen on ${host}:${port}: ${message}` : message);
    }
    io.stderr(`agent ${id} listening on ${serving.url}\n  skills: ${serving.agent.skills.map((s) => s.id).join(", ")}\n`);
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    io.stderr(`agent ${id}: shutting down\n`);
    await serving.close();
    return 0;
  }
};
