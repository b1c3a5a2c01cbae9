import type { Pod, Service } from "../kube/KubeObjects.js";

/**
 * A Secret a pod mounts that no one creates by hand: cert-manager issues it from a Certificate the
 * same manifests ship. When it "does not exist", the missing piece is cert-manager (not installed,
 * or its Certificate not issued), not the Secret.
 *
 * Recognised from what the pod shows, never from a case's names:
 * - `webhook-server-cert`, the Secret kubebuilder's scaffold has cert-manager issue for an
 *   operator's webhook, or a mount at controller-runtime's default certificate directory
 *   `/tmp/k8s-webhook-server/serving-certs` (rancher/opni#175: cert-manager not installed;
 *   cert-manager/cert-manager#4695 and actions/actions-runner-controller#75: installed, the
 *   certificate not issued);
 * - `<name>-webhook-tls` of a cert-manager DNS01 webhook solver whose chart's pki.yaml has
 *   cert-manager issue it (kelvie/cert-manager-webhook-namecheap#4, selectel/cert-manager-webhook-selectel#10,
 *   wjiec/alidns-webhook#9: "cert-manager must already be running"), unless the pod is cert-manager's
 *   own webhook, which makes its Secret itself.
 */
export interface IssuedSecret {
  readonly secret: string;
  /** Why the Secret is cert-manager's to create, in words. */
  readonly why: string;
}

const SERVING_CERTS = /\/k8s-webhook-server\/serving-certs\/?$/;
const SCAFFOLD_SECRET = /^webhook-server-cert$/;
const SOLVER_SECRET = /-webhook-tls$/;

const isCertManagerItself = (pod: Pod): boolean =>
  (pod.spec?.containers ?? []).some((c) => /(?:^|\/)cert-manager-(?:webhook|controller|cainjector)(?:[:@]|$)/.test(c.image ?? ""));

export const issuedByCertManager = (pod: Pod, secret: string): IssuedSecret | undefined => {
  if (isCertManagerItself(pod)) return undefined;
  const volumes = (pod.spec?.volumes ?? []).filter((v) => v.secret?.secretName === secret).map((v) => v.name);
  const mounts = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((c) => (c.volumeMounts ?? []).filter((m) => volumes.includes(m.name)));
  const servingDir = mounts.find((m) => SERVING_CERTS.test(m.mountPath ?? ""));
  if (servingDir !== undefined) return { secret, why: `it is mounted as the webhook serving certificate (${servingDir.mountPath ?? ""}), which these manifests have cert-manager issue` };
  if (SCAFFOLD_SECRET.test(secret)) return { secret, why: "it is the webhook serving certificate that operator manifests (kubebuilder's layout) have cert-manager issue" };
  if (SOLVER_SECRET.test(secret) && volumes.length > 0) return { secret, why: "it is a webhook's TLS Secret of the kind a chart has cert-manager issue" };
  return undefined;
};

/** Services that show cert-manager runs in the cluster (its controller or webhook), in any namespace. */
export const certManagerServices = (services: ReadonlyArray<Service>): ReadonlyArray<Service> =>
  services.filter((s) => {
    const labels = s.metadata.labels ?? {};
    return /^cert-manager(?:-webhook)?$/.test(s.metadata.name) || labels["app.kubernetes.io/name"] === "cert-manager" || labels["app.kubernetes.io/name"] === "webhook" && labels["app.kubernetes.io/instance"] === "cert-manager" || labels["app"] === "cert-manager";
  });
