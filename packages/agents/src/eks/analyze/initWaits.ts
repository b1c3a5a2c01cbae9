import type { Pod } from "../kube/KubeObjects.js";

export interface InitWait {
  readonly pod: Pod;
  readonly container: string;
  readonly host: string;
  readonly port?: number;
  /** The command, for the finding. */
  readonly command: string;
}

/**
 * What an init container that loops until another service answers waits for, read from its command: `until nc -z -v -w30
 * kafka 9092; do echo waiting for kafka; sleep 2; done` (microsoft/AIOpsLab#59: the checkout, accounting and fraud-detection
 * pods of the OTel demo wait for kafka, which is OOMKilled), `nslookup`, `pg_isready -h`, `wget`/`curl` of a URL. Such a
 * container runs quietly (often without a log line) while the dependency is down.
 */
const WAITS: ReadonlyArray<RegExp> = [
  /\bnc\s+(?:-[a-zA-Z]+\s+(?:\d+\s+)?)*-z(?:\s+-[a-zA-Z]+(?:\s*\d+)?)*\s+([A-Za-z0-9][\w.-]*)\s+(\d{1,5})\b/,
  /\bnc\s+(?:-[a-zA-Z]+(?:\s*\d+)?\s+)*([A-Za-z0-9][\w.-]*)\s+(\d{1,5})\b/,
  /\bnslookup\s+([A-Za-z0-9][\w.-]*)/,
  /\bpg_isready\b[^;|&]*?\s-h\s*([A-Za-z0-9][\w.-]*)(?:[^;|&]*?\s-p\s*(\d{1,5}))?/,
  /\b(?:wget|curl)\b[^;|&]*?https?:\/\/([A-Za-z0-9][\w.-]*)(?::(\d{1,5}))?/
];

const LOOP = /\buntil\b|\bwhile\b|wait-for|wait_for|waitfor/i;

export const initWaits = (pods: ReadonlyArray<Pod>): ReadonlyArray<InitWait> => {
  const out: Array<InitWait> = [];
  for (const pod of pods) {
    const statuses = pod.status?.initContainerStatuses ?? [];
    for (const c of pod.spec?.initContainers ?? []) {
      const status = statuses.find((s) => s.name === c.name);
      // Still at it: running and not done (a finished init container waits for nothing).
      if (status?.state?.running === undefined || status.ready === true) continue;
      const command = [...(c.command ?? []), ...(c.args ?? [])].join(" ");
      if (!LOOP.test(command) && !LOOP.test(c.name ?? "")) continue;
      for (const re of WAITS) {
        const m = re.exec(command);
        if (m === null) continue;
        const host = (m[1] ?? "").toLowerCase().replace(/\.$/, "");
        if (host === "" || host === "localhost" || /^-/.test(host)) continue;
        out.push({ pod, container: c.name ?? "", host, ...(m[2] !== undefined ? { port: Number(m[2]) } : {}), command: command.slice(0, 200) });
        break;
      }
    }
  }
  return out;
};
