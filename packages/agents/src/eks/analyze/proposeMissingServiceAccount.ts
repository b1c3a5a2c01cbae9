import type { Analysis, Frame } from "./Analysis.js";
import { causeText, kubectl } from "./podFacts.js";
import type { Subject } from "./Subject.js";

/**
 * The API server's refusal of a pod whose serviceAccountName names no ServiceAccount, as the
 * controllers report it in `FailedCreate`: giantswarm/kube-stresscheck#7 (ReplicaSet),
 * ceph/ceph-csi-operator#87 and kubernetes/kubernetes#135831 (ReplicaSet),
 * apecloud/kubeblocks#4599 (StatefulSet: `create Pod x in StatefulSet y failed error: pods "x" is
 * forbidden: error looking up service account default/…: serviceaccount "…" not found`).
 */
export const parseMissingServiceAccount = (message: string): { readonly namespace: string; readonly name: string } | undefined => {
  const m = /error looking up service account ([\w.-]+)\/([\w.-]+): serviceaccount "([\w.-]+)" not found/.exec(message);
  return m === null ? undefined : { namespace: m[1] ?? "", name: m[3] ?? m[2] ?? "" };
};

/**
 * Proposes "ServiceAccount X does not exist" for a controller's FailedCreate that says so; false
 * when the message is about something else.
 */
export const proposeMissingServiceAccount = (
  a: Analysis,
  frame: Frame,
  subject: Subject,
  owner: { readonly kind: string; readonly name: string },
  message: string,
  evidenceId: string
): boolean => {
  const account = parseMissingServiceAccount(message);
  if (account === undefined) return false;
  a.propose(frame, subject.label, {
    key: `serviceaccount:${account.namespace}/${account.name}`,
    title: `ServiceAccount ${account.namespace}/${account.name} does not exist (serviceaccount "${account.name}" not found): ${owner.kind} ${owner.name} cannot create pods`,
    detail: `The API server refuses every pod of ${subject.label} because its serviceAccountName names a ServiceAccount that is not in namespace ${account.namespace}: ${causeText(message, 300)}. Often the ServiceAccount was created in another namespace, or its manifest was not applied.`,
    // Which manifest or chart value was to create it is not in the message: the missing object is known, why it is missing is not.
    confidence: "medium",
    depth: 2,
    supporting: [evidenceId],
    confirmBy: `${kubectl(account.namespace, `get serviceaccount ${account.name}`)}; ${kubectl(subject.ref.namespace, `describe ${owner.kind.toLowerCase()} ${owner.name}`)}`,
    actions: [
      `Create ServiceAccount ${account.name} in ${account.namespace} (or add \`namespace: ${account.namespace}\` to its manifest), or fix serviceAccountName in the pod template`
    ]
  });
  return true;
};
