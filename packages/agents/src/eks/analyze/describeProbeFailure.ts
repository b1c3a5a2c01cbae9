import type { Container, Probe } from "../kube/KubeObjects.js";

/** What a failed probe's kubelet message says about the endpoint it called. */
export interface ProbeFailure {
  readonly kind: "http-status" | "refused" | "timeout" | "exec" | "other";
  /** `GET /live on port http (6001)`, `TCP port 5432`, `exec cat /tmp/healthy`. */
  readonly target: string;
  readonly status?: number;
  /** The cause in words, as the title's last part. */
  readonly cause: string;
  /**
   * The message alone settles why the probe fails: a path the application does not serve (404),
   * a port nothing listens on. A 500 or a timeout is the application's state, a symptom.
   */
  readonly definite: boolean;
}

/** A named port (`http`) as the number the container declares for it. */
const portText = (port: number | string | undefined, container: Container | undefined): string => {
  if (port === undefined) return "?";
  if (typeof port === "number") return String(port);
  const declared = container?.ports?.find((p) => p.name === port)?.containerPort;
  return declared !== undefined ? `${port} (${declared})` : port;
};

export const probeTarget = (probe: Probe | undefined, container: Container | undefined): string => {
  if (probe?.httpGet !== undefined) return `${probe.httpGet.scheme === "HTTPS" ? "HTTPS " : ""}GET ${probe.httpGet.path ?? "/"} on port ${portText(probe.httpGet.port, container)}`;
  if (probe?.tcpSocket !== undefined) return `TCP port ${portText(probe.tcpSocket.port, container)}`;
  if (probe?.grpc !== undefined) return `gRPC health check on port ${probe.grpc.port ?? "?"}`;
  if (probe?.exec !== undefined) return `exec \`${(probe.exec.command ?? []).join(" ")}\``;
  return "the probe";
};

const STATUS = /\bstatus ?code:? ?(\d{3})\b/i;
const REFUSED = /connection refused|ECONNREFUSED/i;
const TIMEOUT = /timeout|timed out|deadline exceeded/i;

/**
 * The kubelet's probe messages read for their cause, with the probe's target from the spec:
 * `HTTP probe failed with statuscode: 404` on a path the server does not serve
 * (sockudo/sockudo#273 `/live`, gsemet/kube-airflow#17 `/flower`, llm-d/llm-d-inference-sim#45);
 * `dial tcp …: connect: connection refused` when nothing listens on the port (yet);
 * `context deadline exceeded (Client.Timeout exceeded while awaiting headers)` when it answers too
 * slowly; for exec probes, the command's own output.
 */
export const describeProbeFailure = (message: string, probe: Probe | undefined, container: Container | undefined): ProbeFailure => {
  const target = probeTarget(probe, container);
  const path = probe?.httpGet?.path ?? "/";
  const status = STATUS.exec(message);
  if (status !== null) {
    const code = Number(status[1]);
    const cause =
      code === 404
        ? `the application does not serve ${path} (HTTP 404): the probe calls a path that does not exist`
        : code === 401 || code === 403
          ? `${path} requires authentication (HTTP ${code}): the probe sends none`
          : code >= 500
            ? `${path} answers HTTP ${code}: the application reports itself unhealthy (often a dependency it checks)`
            : code >= 300 && code < 400
              ? `${path} redirects (HTTP ${code}) to a location the probe does not accept`
              : `${path} answers HTTP ${code}`;
    return { kind: "http-status", target, status: code, cause, definite: code === 404 || code === 401 || code === 403 };
  }
  if (probe?.exec !== undefined) return { kind: "exec", target, cause: `the command fails: ${message.trim() || "no output"}`, definite: false };
  if (REFUSED.test(message)) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
    const declared = (container?.ports ?? []).map((p) => p.containerPort).filter((p): p is number => typeof p === "number");
    const undeclared = typeof port === "number" && declared.length > 0 && !declared.includes(port);
    return undeclared
      ? { kind: "refused", target, cause: `nothing listens on port ${port} (connection refused): the container declares port${declared.length === 1 ? "" : "s"} ${declared.join(", ")}, not ${port}`, definite: false }
      : { kind: "refused", target, cause: "nothing listens on the probed port (connection refused): the process listens on another port, or has not opened it yet", definite: false };
  }
  if (TIMEOUT.test(message)) return { kind: "timeout", target, cause: "the endpoint does not answer within timeoutSeconds: the process is slow, blocked or overloaded", definite: false };
  return { kind: "other", target, cause: message.trim(), definite: false };
};
