import { resolve } from "node:path";
import { escapeTerminalControls, terminalJson } from "@sre-on-call/adapters";
import { Result } from "effect";
import { logRedactor } from "../../runtime/logRedactor.js";
import { buildApp, StartupError } from "../../composition/buildApp.js";
import { loadConfigFile } from "../../config/loadConfig.js";
import { startHttpServer } from "../../http/startHttpServer.js";
import { type Command, CommandFailed, UsageError } from "../CliIo.js";
import { parseOptions } from "../parseOptions.js";

const usage = `Usage:
  sre-on-call serve [--config FILE] [--host 127.0.0.1] [--port 8080]

Runs intake on one machine: an HTTP server for Slack events, Alertmanager and Grafana webhooks,
with the embedded store and the agents config.yaml enables. Investigations run in this process;
reports go back to the alert's thread (or to stdout for routes with platform: console).

Routes:
  POST /slack/events            Slack Events API (signed)
  POST /slack/commands          Slack slash commands /sre-snapshot, /postmortem (signed)
  POST /discord/interactions    Discord interactions: /investigate, /sre-snapshot, /postmortem,
                                the "Investigate" message command (Ed25519-signed)
  POST /webhooks/alertmanager   Alertmanager webhook (v4)
  POST /webhooks/grafana        Grafana unified-alerting webhook
  GET  /healthz                 liveness: 200 ok, or 503 degraded while the store cannot write

Environment (secrets are never read from config.yaml):
  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET   enable Slack (SLACK_API_URL overrides the API base URL)
  DISCORD_BOT_TOKEN, DISCORD_PUBLIC_KEY, DISCORD_APPLICATION_ID
                                          enable Discord (DISCORD_API_URL overrides the REST base)
  SRE_WEBHOOK_TOKEN                       bearer token the alert webhooks must send (16+ chars), or
  SRE_WEBHOOK_USERNAME/SRE_WEBHOOK_PASSWORD   basic auth credentials. Required unless
                                          intake.webhook_auth is disabled (no webhooks) or none
                                          (open, private networks only): serve does not start
                                          without them
  SRE_ON_CALL_CONFIG                      config file when --config is not given
  SRE_ON_CALL_MODEL                       model spec for every call site without its own
                                          (bedrock:<id> with AWS_REGION, openai:<id> with
                                          OPENAI_BASE_URL/OPENAI_API_KEY)
  <AGENT>_AGENT_URL / <AGENT>_AGENT_RUNTIME_ARN
                                          reach a specialist over A2A instead of in-process
  OTEL_EXPORTER_OTLP_ENDPOINT             export spans over OTLP/HTTP (or telemetry.otlp_endpoint)

Logs: JSON lines on stderr with the investigation id. Agents in mode: agent drive their tools
with their model; while an A/B experiment is active (sre-on-call experiment), every alert is
investigated by both variants.

A request's headers and body must arrive within intake.request_timeout_seconds (15; else 408)
and at most intake.max_connections (256) are kept open; see docs/configuration.md.

Stops on SIGINT/SIGTERM after giving running investigations up to 10 s to post their reports;
one still running then posts a partial report at once: what its agents have answered, the others
marked as stopped because the server shut down.
`;

export const serveCommand: Command = {
  name: "serve",
  summary: "run the intake server (Slack, Alertmanager, Grafana) on this machine",
  usage,
  run: async (args, io) => {
    const { values, positionals } = parseOptions(args, {
      config: { type: "string", short: "c" },
      host: { type: "string" },
      port: { type: "string", short: "p" }
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}".`);
    const port = Number(typeof values["port"] === "string" ? values["port"] : (io.env["PORT"] ?? "8080"));
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be an integer between 0 and 65535.");
    const host = typeof values["host"] === "string" ? values["host"] : "127.0.0.1";
    const file = resolve(io.cwd, typeof values["config"] === "string" ? values["config"] : (io.env["SRE_ON_CALL_CONFIG"] ?? "config.yaml"));
    const loaded = await loadConfigFile(file);
    if (Result.isFailure(loaded)) throw new CommandFailed(loaded.failure.message);
    // Log fields carry reasons and errors that can quote alert or chat text: redacted like every other exit.
    const redactLog = logRedactor(loaded.success.redaction.patterns);
    const log = (level: string, message: string, fields?: Readonly<Record<string, unknown>>) =>
      io.stderr(`${terminalJson({ time: new Date().toISOString(), level, message, ...redactLog(fields) })}\n`);
    let app;
    try {
      app = await buildApp({ config: loaded.success, env: io.env, cwd: io.cwd, log, consoleWrite: io.stdout, logLine: (line) => io.stderr(escapeTerminalControls(line)) });
    } catch (error) {
      if (error instanceof StartupError) throw new CommandFailed(error.message);
      throw error;
    }
    const intake = loaded.success.intake;
    const server = await startHttpServer({
      handler: app.handler,
      host,
      port,
      maxBodyBytes: intake.max_body_bytes,
      requestTimeoutMs: Math.round(intake.request_timeout_seconds * 1000),
      maxConnections: intake.max_connections
    }).catch(async (error: unknown) => {
      await app.close();
      throw new CommandFailed(`cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
    });
    io.stderr(`sre-on-call listening on ${server.url}\n${app.describe().map((l) => `  ${l}`).join("\n")}\n`);
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    io.stderr("shutting down: waiting for running investigations…\n");
    await server.close();
    await app.close();
    return 0;
  }
};
