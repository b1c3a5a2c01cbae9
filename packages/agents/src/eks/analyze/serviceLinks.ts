import type { Service } from "../kube/KubeObjects.js";
import type { Analysis } from "./Analysis.js";
import type { ContainerOfPod } from "./podFacts.js";
import { logKey } from "../investigate/ClusterView.js";

/** The Docker-link value the kubelet injects as `<SERVICE>_PORT`: `tcp://10.110.113.142:6379`. */
const LINK_VALUE = /\b(tcp|udp):\/\/(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b/;

/** A program that wanted a number and got a string: what a `<NAME>_PORT=tcp://…` link value does to a port setting. */
const NUMBER_EXPECTED =
  /ClassCastException: class java\.lang\.String cannot be cast to class java\.lang\.(?:Number|Integer)|NumberFormatException|couldn't be parsed into an integer|strconv\.(?:Atoi|ParseInt)|invalid literal for int\(\)|invalid port/i;

/**
 * The log shows no link value, only a number the program could not read, and a Service in the pod's namespace is named
 * like its container or workload: the link variable `<NAME>_PORT` shadows the program's own setting of that name
 * (rancher/rancher#31088: a Service named `kroki` made KROKI_PORT=tcp://…, and Kroki failed with a ClassCastException
 * reading its port).
 */
const numberFromLink = (a: Analysis, c: ContainerOfPod, crash: string): string | undefined => {
  if (!NUMBER_EXPECTED.test(crash)) return undefined;
  const namespace = c.pod.metadata.namespace ?? "";
  const owner = c.pod.metadata.ownerReferences?.[0]?.name ?? "";
  const names = new Set([c.name, owner.replace(/-[a-z0-9]{8,10}$/, ""), c.pod.metadata.labels?.["app"] ?? "", c.pod.metadata.labels?.["app.kubernetes.io/name"] ?? ""].filter((n) => n !== ""));
  const service = a.view.services.find((s) => (s.metadata.namespace ?? "") === namespace && names.has(s.metadata.name));
  if (service === undefined) return undefined;
  const variable = serviceLinkVariable(service.metadata.name);
  if ((c.spec?.env ?? []).some((e) => e.name === variable)) return undefined;
  const port = service.spec?.ports?.[0]?.port;
  return `Service ${service.metadata.name} makes the kubelet set ${variable}=tcp://${service.spec?.clusterIP ?? "<ClusterIP>"}${port !== undefined ? `:${port}` : ""} (a service link), and the program reads ${variable} as its own port setting, which expects a number (set enableServiceLinks: false on the pod, or rename the Service)`;
};

/**
 * A Service whose link variables are the ones in-cluster clients read to find the API server: a Service named
 * `kubernetes-service` gets KUBERNETES_SERVICE_PORT=tcp://… (kubevirt/csi-driver#120: the client then looked up
 * `10.96.0.1:tcp`), one named `kubernetes` outside `default` gets KUBERNETES_SERVICE_HOST and _PORT. Named when the crash
 * shows the mangled value.
 */
const apiVariablesOverridden = (a: Analysis, c: ContainerOfPod, crash: string): string | undefined => {
  if (!/:tcp\b|tcp:\/\/|KUBERNETES_SERVICE/.test(crash)) return undefined;
  const namespace = c.pod.metadata.namespace ?? "";
  const service = a.view.services.find((s) => (s.metadata.namespace ?? "") === namespace && (s.metadata.name === "kubernetes-service" || (s.metadata.name === "kubernetes" && namespace !== "default")));
  if (service === undefined) return undefined;
  const variables = service.metadata.name === "kubernetes-service" ? "KUBERNETES_SERVICE_PORT" : "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT";
  return `Service ${service.metadata.name} in ${namespace} makes the kubelet set ${variables} for its own address (service links), overriding the variables in-cluster clients read to find the API server (set enableServiceLinks: false on the pod, or rename the Service)`;
};

/** The variable name a Service's link gets: upper case, `-` as `_` (`redis-master` → `REDIS_MASTER_PORT`). */
export const serviceLinkVariable = (service: string): string => `${service.toUpperCase().replace(/[-.]/g, "_")}_PORT`;

/**
 * A crash whose log holds `tcp://<ClusterIP>:<port>` of a Service in the pod's namespace, with service links on: the
 * kubelet set `<SERVICE>_PORT` to that URL for the Service, and the program read the variable as its own setting
 * (bitnami/bitnami-docker-redis#175: a Service named `redis` made `REDIS_PORT=tcp://10.110.113.142:6379`, and Redis
 * refused `port tcp://10.110.113.142:6379` in its configuration; LiveKit crashes the same way on `LIVEKIT_PORT`).
 * The hint names the variable, the Service and the fix.
 */
export const serviceLinkHint = (a: Analysis, c: ContainerOfPod, crash = ""): string | undefined => {
  if (c.pod.spec?.enableServiceLinks === false) return undefined;
  const byName = numberFromLink(a, c, crash);
  if (byName !== undefined) return byName;
  const api = apiVariablesOverridden(a, c, crash);
  if (api !== undefined) return api;
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
