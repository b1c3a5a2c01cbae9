import type { Analysis } from "../analyze/Analysis.js";
import { ROOT_FRAME } from "../analyze/Analysis.js";
import { isPodDone, isPodReady, listNames, plural } from "../analyze/podFacts.js";
import { namespaceObjects } from "../analyze/Subject.js";
import type { Node } from "../kube/KubeObjects.js";
import { controlPlanePods } from "./resolveSubjects.js";
import type { ControlPlaneComponent } from "./scopeFromAlert.js";

const CONTROL_PLANE_ROLE = /^node-role\.kubernetes\.io\/(?:control-plane|master)$/;

const isControlPlaneNode = (n: Node): boolean =>
  Object.keys(n.metadata.labels ?? {}).some((k) => CONTROL_PLANE_ROLE.test(k)) || n.metadata.labels?.["kubernetes.io/role"] === "master";

/** Where worker nodes say the control plane is run for the cluster, when they say it. */
const managedBy = (nodes: ReadonlyArray<Node>): string | undefined => {
  for (const n of nodes) {
    const labels = Object.keys(n.metadata.labels ?? {});
    const provider = n.spec?.providerID ?? "";
    if (labels.some((k) => k.startsWith("eks.amazonaws.com/")) || provider.startsWith("aws://") || /\.(?:ec2|compute)\.internal$/.test(n.metadata.name)) return "EKS (AWS)";
    if (labels.some((k) => k.startsWith("cloud.google.com/gke")) || provider.startsWith("gce://") || n.metadata.name.startsWith("gke-")) return "GKE";
    if (labels.some((k) => k.startsWith("kubernetes.azure.com/")) || provider.startsWith("azure://") || n.metadata.name.startsWith("aks-")) return "AKS";
  }
  return undefined;
};

/** What shows the component's job is being done, so its alert is about scraping it and not about the cluster. */
const workDone = (a: Analysis, component: ControlPlaneComponent): string | undefined => {
  const pods = [...a.view.namespaces.values()].flatMap((o) => o.pods).filter((p) => !isPodDone(p));
  if (pods.length === 0) return undefined;
  switch (component) {
    case "kube-scheduler": {
      const bound = pods.filter((p) => p.spec?.nodeName !== undefined).length;
      return `${bound} of ${plural(pods.length, "pod")} read are bound to nodes`;
    }
    case "kube-controller-manager": {
      const owned = pods.filter((p) => (p.metadata.ownerReferences?.length ?? 0) > 0);
      return owned.length > 0 ? `${owned.length} of ${plural(pods.length, "pod")} read were created by their controllers (ReplicaSets, DaemonSets, Jobs), ${pods.filter(isPodReady).length} are ready` : undefined;
    }
    case "kube-apiserver":
      return "the API server answered every read of this investigation";
    default:
      return undefined;
  }
};

/**
 * A control-plane alert (KubeSchedulerDown, KubeControllerManagerDown…) examined instead of
 * skipped. When the component runs as pods, those pods were diagnosed as the alert's subjects;
 * here the rest is said. When no pod of it runs and no node is a control-plane node, the control
 * plane is managed outside the cluster (EKS, GKE, AKS): Prometheus cannot scrape it, the alert
 * fires on a healthy cluster, and the answer is "no Kubernetes-level cause", at low confidence.
 * Real cases: prometheus-operator/prometheus-operator#2295 (AWS, K8SControllerManagerDown),
 * #2437 and PR #2461 (EKS), prometheus-community/helm-charts#4106 (EKS), prometheus-operator/kube-prometheus#1530 (GKE).
 */
export const examineControlPlane = (a: Analysis, component: ControlPlaneComponent, alertname: string): void => {
  const source = `kubernetes/namespace/kube-system`;
  const kubeSystemRead = !a.view.gaps.some((g) => g.what === "pods in kube-system");
  const pods = controlPlanePods(a.view, component);
  const controlPlaneNodes = a.view.nodes.filter(isControlPlaneNode);
  const managed = managedBy(a.view.nodes);
  const done = workDone(a, component);
  const discovery = namespaceObjects(a.view, "kube-system").services.filter((s) => s.metadata.name.includes(component.replace(/^kube-/, "")));
  const emptyDiscovery = discovery.filter((s) => {
    const ep = namespaceObjects(a.view, "kube-system").endpoints.find((e) => e.metadata.name === s.metadata.name);
    return ep !== undefined && !(ep.subsets ?? []).some((x) => (x.addresses?.length ?? 0) + (x.notReadyAddresses?.length ?? 0) > 0);
  });

  if (pods.length > 0) {
    const ready = pods.filter(isPodReady);
    const id = a.evidence.add({
      source,
      timestamp: a.alertTime,
      severity: ready.length === pods.length ? "info" : "high",
      content: `${component} runs as ${plural(pods.length, "pod")} in kube-system (${listNames(pods.map((p) => p.metadata.name))}); ${ready.length} ready`,
      metadata: { component, pods: pods.map((p) => p.metadata.name), ready: ready.length }
    });
    if (ready.length === pods.length) {
      a.propose(ROOT_FRAME, `kube-system/${component}`, {
        key: `control-plane-unscraped:${component}`,
        title: `${component} is running (${ready.length}/${pods.length} ready): ${alertname} means Prometheus cannot scrape it, not that it is down`,
        detail: `Its pods are ready${done !== undefined ? ` and ${done}` : ""}. kubeadm binds ${component}'s metrics to 127.0.0.1 by default, and a monitoring Service must select its pods' labels: check the target in Prometheus.`,
        confidence: "low",
        depth: 1,
        supporting: [id],
        confirmBy: `kubectl -n kube-system get pods -l component=${component} -o wide; check the ${component} target on Prometheus' Targets page`,
        actions: [`Expose ${component}'s metrics (--bind-address) or fix the ServiceMonitor's selector, or disable the rule`]
      });
    }
    return;
  }

  const facts: Array<string> = [];
  if (kubeSystemRead) facts.push(`no ${component} pod runs in kube-system`);
  else facts.push("kube-system could not be read");
  facts.push(controlPlaneNodes.length === 0 ? `none of the ${plural(a.view.nodes.length, "node")} is a control-plane node` : `control-plane nodes: ${listNames(controlPlaneNodes.map((n) => n.metadata.name))}`);
  if (emptyDiscovery.length > 0) facts.push(`the monitoring Service ${listNames(emptyDiscovery.map((s) => `kube-system/${s.metadata.name}`))} has no endpoints`);
  if (done !== undefined) facts.push(done);
  const id = a.evidence.add({ source, timestamp: a.alertTime, severity: "info", content: `${alertname}: ${facts.join("; ")}`, metadata: { component, controlPlaneNodes: controlPlaneNodes.map((n) => n.metadata.name), managedBy: managed ?? null } });

  if (controlPlaneNodes.length === 0 && a.view.nodes.length > 0) {
    a.propose(ROOT_FRAME, `kube-system/${component}`, {
      key: `control-plane-managed:${component}`,
      title: `No Kubernetes-level cause: ${component} runs in the ${managed !== undefined ? `${managed} ` : ""}managed control plane, which Prometheus cannot scrape, so ${alertname} fires on a working cluster`,
      detail: `${facts.join("; ")}. On a managed control plane the scheduler and controller manager are not reachable from the cluster; the cloud provider monitors them.`,
      confidence: "low",
      depth: 1,
      supporting: [id],
      confirmBy: "kubectl get pods -n kube-system; kubectl get nodes --show-labels (no control-plane nodes); the provider's control-plane metrics or logs",
      actions: [`Disable the ${alertname} rule (kube-prometheus-stack: ${component === "kube-scheduler" ? "kubeScheduler" : component === "kube-controller-manager" ? "kubeControllerManager" : component}.enabled=false) on managed clusters`]
    });
  }
};
