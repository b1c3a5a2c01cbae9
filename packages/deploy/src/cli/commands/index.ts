import type { CommandEntry } from "../CliIo.js";

/**
 * Every command, loaded on first use: `classify` must not pay for the Kubernetes client and
 * the AWS SDKs that `investigate` and `serve` import.
 */
export const commands: ReadonlyArray<CommandEntry> = [
  { name: "investigate", summary: "investigate an alert now (Alertmanager/Grafana JSON or text) and print the report", load: async () => (await import("./investigate.js")).investigateCommand },
  { name: "snapshot", summary: "print a health snapshot of the cluster, metrics and logs (what /sre-snapshot posts)", load: async () => (await import("./snapshot.js")).snapshotCommand },
  { name: "classify", summary: "tell an alert from chatter (one text, or JSON lines on stdin)", load: async () => (await import("./classify.js")).classifyCommand },
  { name: "serve", summary: "run the intake server (Slack, Discord, Alertmanager, Grafana) on this machine", load: async () => (await import("./serve.js")).serveCommand },
  { name: "agent", summary: "serve one agent (master or a specialist) as an A2A server", load: async () => (await import("./agent.js")).agentCommand },
  { name: "trace", summary: "show an investigation's trace (events and reports)", load: async () => (await import("./trace.js")).traceCommand },
  { name: "eval", summary: "score the investigation pipeline over a directory of scenarios (and compare two configs)", load: async () => (await import("./eval.js")).evalCommand },
  { name: "experiment", summary: "define, activate, pause and report online A/B experiments (two variants on every alert)", load: async () => (await import("./experiment.js")).experimentCommand },
  { name: "config", summary: "validate config.yaml (errors name the key and the fix)", load: async () => (await import("./config.js")).configCommand }
];
