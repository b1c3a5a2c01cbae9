import type { Pod } from "../kube/KubeObjects.js";
import type { ClusterView } from "../investigate/ClusterView.js";
import { logKey } from "../investigate/ClusterView.js";

/** The kubelet's words when a CSI driver's external-attacher never reports the attachment. */
export const ATTACHER_TIMEOUT = /timed out waiting for external-attacher of (\S+) CSI driver/;

/** A CSI controller's external-attacher sidecar, by container name or image (`csi-attacher`, `…/csi-attacher:v4.3.0`). */
export const attacherContainers = (pod: Pod): ReadonlyArray<string> =>
  (pod.spec?.containers ?? []).filter((c) => /csi-attacher|external-attacher/.test(`${c.name ?? ""} ${c.image ?? ""}`)).map((c) => c.name ?? "");

/** `is forbidden: User "system:serviceaccount:kube-system:csi-controller-sa" cannot patch resource "volumeattachments/status" in API group "storage.k8s.io"` */
const FORBIDDEN = /is forbidden: User "([^"]+)" cannot (\w+) resource "([^"]+)" in API group "([^"]*)"/;
/** An attacher's own error lines (klog `E…`, or `Error processing …`). */
const ERROR_LINE = /^E\d{4} |Error processing|failed to (?:attach|mark)/;

export interface AttacherReading {
  readonly pod: Pod;
  readonly container: string;
  readonly line: string;
  readonly forbidden?: { readonly user: string; readonly verb: string; readonly resource: string; readonly group: string };
}

/**
 * What the external-attacher's own log says, for a volume the kubelet waited on in vain (linode/linode-blockstorage-csi-driver#88:
 * on Kubernetes 1.24 the attacher needs `patch` on `volumeattachments/status`, which the driver's ClusterRole lacked, so every
 * attach "timed out waiting for external-attacher"). The last forbidden line wins over other errors.
 */
export const readAttacher = (view: ClusterView): AttacherReading | undefined => {
  let fallback: AttacherReading | undefined;
  for (const objects of view.namespaces.values()) {
    for (const pod of objects.pods) {
      for (const container of attacherContainers(pod)) {
        const log = view.logs.get(logKey(pod.metadata.namespace ?? "", pod.metadata.name, container));
        const lines = `${log?.previous ?? ""}\n${log?.current ?? ""}`.split("\n").slice(-2000);
        for (let i = lines.length - 1; i >= 0; i--) {
          const line = lines[i] ?? "";
          const f = FORBIDDEN.exec(line);
          if (f !== null) return { pod, container, line, forbidden: { user: f[1] ?? "", verb: f[2] ?? "", resource: f[3] ?? "", group: f[4] ?? "" } };
          if (fallback === undefined && ERROR_LINE.test(line)) fallback = { pod, container, line };
        }
      }
    }
  }
  return fallback;
};
