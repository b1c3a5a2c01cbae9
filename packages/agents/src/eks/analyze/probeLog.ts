/**
 * What a container's own access log says its HTTP probe got: the requests for the probe's path and
 * the status the server answered. When the kubelet's Unhealthy events are gone (or were not
 * pasted), the server's log still shows the probe failing and why:
 * - change-metrics/monocle#693: `"GET /api/2/health HTTP/1.1" 404 - "" "kube-probe/1.22+"`, the
 *   liveness probe on a path the API no longer serves;
 * - kubernetes-retired/contrib#1818: `"GET /ingress-controller-healthz HTTP/1.1" 404 21 "-" "Go-http-client/1.1"`
 *   (the kubelet's older user agent), the probe path of an older release;
 * - istio/istio#18467: JSON lines `"statusCode":200,"req":{"url":"/login",…"user-agent":"kube-probe/1.13+"`.
 * A request for the probe's path is the probe whatever the user agent: nothing else calls it that often.
 */
export interface ProbeAnswers {
  readonly path: string;
  /** The status of the last request for the path. */
  readonly status: number;
  /** Requests for the path that failed (status ≥ 400, what the kubelet counts as a failure). */
  readonly failed: number;
  readonly total: number;
}

const COMBINED = /"(?:GET|HEAD) (\S+) HTTP\/[\d.]+"\s+(\d{3})\b/;
const JSON_URL = /"(?:url|path|uri|request_uri)"\s*:\s*"([^"]+)"/;
const JSON_STATUS = /"(?:statusCode|status|status_code)"\s*:\s*"?(\d{3})\b/;

const pathOnly = (p: string): string => p.split("?")[0] ?? p;

const requestOf = (line: string): { readonly path: string; readonly status: number } | undefined => {
  const combined = COMBINED.exec(line);
  if (combined !== null) return { path: pathOnly(combined[1] ?? ""), status: Number(combined[2]) };
  const url = JSON_URL.exec(line)?.[1];
  const status = JSON_STATUS.exec(line)?.[1];
  return url !== undefined && status !== undefined ? { path: pathOnly(url), status: Number(status) } : undefined;
};

/** The answers the server logged to requests for one of `paths` (the container's httpGet probe paths). */
export const probeAnswersInLog = (text: string, paths: ReadonlyArray<string>): ReadonlyArray<ProbeAnswers> => {
  const wanted = new Set(paths.map(pathOnly));
  const seen = new Map<string, { status: number; failed: number; total: number }>();
  for (const line of text.split("\n")) {
    if (line.length > 4000) continue;
    const r = requestOf(line);
    if (r === undefined || !wanted.has(r.path)) continue;
    const s = seen.get(r.path) ?? { status: r.status, failed: 0, total: 0 };
    seen.set(r.path, { status: r.status, failed: s.failed + (r.status >= 400 ? 1 : 0), total: s.total + 1 });
  }
  return [...seen.entries()].map(([path, s]) => ({ path, ...s }));
};
