import type { ContainerOfPod } from "./podFacts.js";

/** `chown: /var/lib/grafana: Operation not permitted`, as coreutils and busybox print it (and as people paste it, colons lost). */
const CHOWN_REFUSED = /\b(chown|chgrp)(?: -R)?:? (?:changing ownership of )?['‘"]?([^\s'’":]+)['’"]?:? Operation not permitted/;

export interface OwnershipRefusal {
  readonly command: string;
  readonly path: string;
  /** Why the kernel refused it, from the security context; undefined when the spec does not say. */
  readonly why?: string;
}

const hasCapability = (list: ReadonlyArray<string> | undefined, cap: string): boolean =>
  (list ?? []).some((c) => {
    const name = c.toUpperCase().replace(/^CAP_/, "");
    return name === "ALL" || name === cap;
  });

/**
 * A container whose `chown` the kernel refused, and why its security context makes that so: it runs as a user other
 * than root (only root, with CAP_CHOWN, may give files away: minio/operator#660, runAsUser 65534 with runAsNonRoot), or
 * as root with CAP_CHOWN dropped (helm/charts#10453: Grafana's init-chown-data under a PodSecurityPolicy that drops ALL
 * capabilities). `text` is the container's log.
 */
export const ownershipRefused = (c: ContainerOfPod, text: string): OwnershipRefusal | undefined => {
  const m = CHOWN_REFUSED.exec(text);
  if (m === null) return undefined;
  const command = m[1] ?? "chown";
  const path = m[2] ?? "";
  const pod = c.pod.spec?.securityContext;
  const own = c.spec?.securityContext;
  const user = own?.runAsUser ?? pod?.runAsUser;
  const nonRoot = own?.runAsNonRoot ?? pod?.runAsNonRoot;
  const dropped = hasCapability(own?.capabilities?.drop, "CHOWN") && !hasCapability(own?.capabilities?.add, "CHOWN");
  const where = own?.runAsUser !== undefined ? "the container's securityContext" : "the pod's securityContext";
  if (user !== undefined && user !== 0)
    return { command, path, why: `it runs as user ${user} (runAsUser in ${where}${nonRoot === true ? ", with runAsNonRoot" : ""}), and only root with CAP_CHOWN may give files to another owner` };
  if (user === undefined && nonRoot === true) return { command, path, why: "runAsNonRoot makes it run as a user other than root, and only root with CAP_CHOWN may give files to another owner" };
  if (dropped) {
    const list = (own?.capabilities?.drop ?? []).join(", ");
    return { command, path, why: `it runs as root but its securityContext drops capabilities ${list} (CAP_CHOWN among them), as a PodSecurityPolicy or admission policy that requires dropping ALL makes it` };
  }
  return { command, path };
};
