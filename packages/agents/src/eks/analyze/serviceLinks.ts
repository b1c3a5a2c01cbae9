import type { Service } from "../kube/KubeObjects.js";
import type { Analysis } from "./Analysis.js";
import type { ContainerOfPod } from "./podFacts.js";
import { logKey } from "../investigate/ClusterView.js";

/** The Docker-link value the kubelet injects as `<SERVICE>_PORT`: `tcp://10.110.113.142:6379`. */
const LINK_VALUE = /\b(tcp|udp):\/\/(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b/;

/** The variable name a Service's link gets: upper case, `-` as `_` (`redis-master` → `REDIS_MASTER_PORT`). */
export const serviceLinkVariable = (service: string): string => `${service.toUpperCase().replace(/[-.]/g, "_")}_PORT`;

/**
 * A crash whose log holds `tcp://<ClusterIP>:<port>` of a Service in the pod's namespace, with service links on: the
 * kubelet set `<SERVICE>_PORT` to that URL for the Service, and the program read the variable as its own setting
 * (bitnami/bitnami-docker-redis#175: a Service named `redis` made `REDIS_PORT=tcp://10.110.113.142:6379`, and Redis
 * refused `port tcp://10.110.113.142:6379` in its configuration; LiveKit crashes the same way on `LIVEKIT_PORT`).
 * The hint names the variable, the Service and the fix.
 */
export const serviceLinkHint = (a: Analysis, c: ContainerOfPod): string | undefined => {
  if (c.pod.spec?.enableServiceLinks === false) return undefined;
  const namespace = c.pod.metadata.namespace ?? "";
  const log = a.view.logs.get(logKey(namespace, c.pod.metadata.name, c.name));
  for (const text of [log?.previous, log?.current]) {
    const m = text === undefined ? null : LINK_VALUE.exec(text.slice(-20_000));
    if (m === null) continue;
    const ip = m[2] ?? "";
    const port = Number(m[3]);
    const service = a.view.services.find(
      (s: Service) => (s.metadata.namespace ?? "") === namespace && (s.spec?.clusterIP === ip || s.spec?.clusterIPs?.includes(ip) === true) && (s.spec?.ports ?? []).some((p) => p.port === port)
    );
    if (service === undefined) continue;
    const variable = serviceLinkVariable(service.metadata.name);
    const set = (c.spec?.env ?? []).some((e) => e.name === variable);
    if (set) return undefined;
    return `${m[0]} is ${variable}, the service-link variable the kubelet injects for Service ${service.metadata.name}, read as the program's own ${variable} setting (set enableServiceLinks: false on the pod, or rename the Service)`;
  }
  return undefined;
};
