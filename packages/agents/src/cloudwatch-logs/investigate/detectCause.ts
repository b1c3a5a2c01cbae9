export interface Cause {
  /** Stable key: what and where, e.g. `refused:payments-db:5432`. */
  readonly key: string;
  readonly title: string;
  readonly detail: string;
  readonly confirmBy: string;
  readonly actions: ReadonlyArray<string>;
}

const TARGET = /(?:dial tcp|connect(?:ing)? to|connection to|ECONNREFUSED|ETIMEDOUT|host|upstream|to)\s*[:=]?\s*["'[]?((?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+(?::\d{2,5})|\d{1,3}(?:\.\d{1,3}){3}(?::\d{2,5})?)/i;
const HOST_PORT = /\b((?:[A-Za-z][A-Za-z0-9_-]*\.)*[A-Za-z][A-Za-z0-9_-]*:\d{2,5}|\d{1,3}(?:\.\d{1,3}){3}:\d{2,5})\b/;
const LOOKUP = /(?:lookup|getaddrinfo ENOTFOUND|resolve host:?)\s+["']?([A-Za-z0-9_.-]+)/i;
const IAM_ACTION = /perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/;

const targetOf = (text: string): string | undefined => TARGET.exec(text)?.[1] ?? HOST_PORT.exec(text)?.[1];

interface Rule {
  readonly test: RegExp;
  readonly cause: (text: string) => Cause;
}

const RULES: ReadonlyArray<Rule> = [
  {
    test: /connect(?:ion)?\s+refused|ECONNREFUSED/i,
    cause: (text) => {
      const target = targetOf(text);
      const what = target ?? "a dependency";
      return {
        key: `refused:${target ?? "?"}`,
        title: `Connections to ${what} are refused`,
        detail: `The dominant error is "connection refused"${target !== undefined ? ` to ${target}` : ""}: nothing is listening there (the dependency is down, restarting or not ready), or the address is wrong.`,
        confirmBy: `Check that ${what} is up and listening (its pods/tasks, its own logs, its Service endpoints or target group).`,
        actions: [`Check the health of ${what}`, "Check recent changes to its address (Service, DNS, configuration)"]
      };
    }
  },
  {
    test: /no space left on device|ENOSPC|disk (?:is )?full/i,
    cause: () => ({
      key: "disk-full",
      title: "A disk is full (no space left on device)",
      detail: "The dominant error says a volume has no space left: writes fail until space is freed or the volume is grown.",
      confirmBy: "Check the volume usage of the failing workload (df -h, the PVC's capacity, EBS metrics).",
      actions: ["Free space or grow the volume", "Find what filled it (logs, temp files, WAL)"]
    })
  },
  {
    test: /out of memory|OutOfMemoryError|Cannot allocate memory|OOMKilled|heap out of memory/i,
    cause: () => ({
      key: "oom",
      title: "The process runs out of memory",
      detail: "The dominant error is an out-of-memory failure.",
      confirmBy: "Compare memory usage with the limit over the window; look for OOMKilled restarts.",
      actions: ["Raise the memory limit or fix the leak", "Check what changed in load or code"]
    })
  },
  {
    test: /no such host|ENOTFOUND|Name or service not known|Temporary failure in name resolution|could not resolve host/i,
    cause: (text) => {
      const host = LOOKUP.exec(text)?.[1];
      return {
        key: `dns:${host ?? "?"}`,
        title: `${host ?? "A host name"} does not resolve (DNS)`,
        detail: `The dominant error is a failed name lookup${host !== undefined ? ` of ${host}` : ""}.`,
        confirmBy: "Check that the name exists (Service, Route 53 record) and that cluster DNS is healthy.",
        actions: ["Check the DNS name in the configuration", "Check CoreDNS / the resolver"]
      };
    }
  },
  {
    test: /x509|certificate (?:has )?expired|certificate verify failed|tls: |SSL routines/i,
    cause: () => ({
      key: "tls",
      title: "TLS handshakes fail (certificate problem)",
      detail: "The dominant error is a TLS/certificate failure: an expired or untrusted certificate, or a name mismatch.",
      confirmBy: "Check the certificate the peer presents (openssl s_client) and its expiry.",
      actions: ["Renew or fix the certificate", "Check the trust bundle"]
    })
  },
  {
    test: /too many (?:connections|clients)|remaining connection slots|connection pool (?:exhausted|timeout)|pool exhausted/i,
    cause: () => ({
      key: "pool",
      title: "Connections are exhausted (pool or server limit)",
      detail: "The dominant error says the connection pool or the server's connection limit is exhausted.",
      confirmBy: "Compare open connections with the limit; look for a leak or a traffic spike.",
      actions: ["Raise the limit or fix the leak", "Shed load"]
    })
  },
  {
    test: /AccessDenied|not authorized to perform|UnauthorizedOperation|permission denied|403 Forbidden/i,
    cause: (text) => {
      const action = IAM_ACTION.exec(text)?.[1];
      return {
        key: `denied:${action ?? "?"}`,
        title: action !== undefined ? `Calls are denied permission for ${action}` : "Calls are denied permission",
        detail: `The dominant error is an authorization failure${action !== undefined ? ` for ${action}` : ""}: a changed role, policy or credential.`,
        confirmBy: "Check the workload's role/policy and recent IAM or RBAC changes (CloudTrail).",
        actions: ["Restore the missing permission", "Check for rotated or expired credentials"]
      };
    }
  },
  {
    test: /ThrottlingException|Rate exceeded|429 Too Many Requests|TooManyRequests/i,
    cause: () => ({
      key: "throttled",
      title: "Calls are throttled by a dependency",
      detail: "The dominant error is throttling (rate exceeded / 429).",
      confirmBy: "Check the dependency's quotas and the request rate over the window.",
      actions: ["Back off / add retries with jitter", "Raise the quota or reduce the rate"]
    })
  },
  {
    test: /i\/o timeout|timed out|deadline exceeded|ETIMEDOUT|timeout (?:after|waiting|exceeded)|Read timeout|connect timeout/i,
    cause: (text) => {
      const target = targetOf(text);
      const what = target ?? "a dependency";
      return {
        key: `timeout:${target ?? "?"}`,
        title: `Calls to ${what} time out`,
        detail: `The dominant error is a timeout${target !== undefined ? ` talking to ${target}` : ""}: the dependency is slow or unreachable (network policy, security group).`,
        confirmBy: `Check the latency and health of ${what} and the network path to it.`,
        actions: [`Check ${what}'s latency and saturation`, "Check network policies / security groups on the path"]
      };
    }
  }
];

/** The cause an error line names outright, if any; the first matching rule wins (most specific first). */
export const detectCause = (text: string): Cause | undefined => {
  for (const rule of RULES) if (rule.test.test(text)) return rule.cause(text);
  return undefined;
};
