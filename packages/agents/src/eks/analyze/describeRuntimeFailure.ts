/**
 * Why the container runtime could not start a container's process, from the message runc,
 * containerd or Docker wrote (the waiting or terminated state's message, or the kubelet's `Failed`
 * event). These messages quote their arguments with one or more levels of backslash escaping.
 */
export type RuntimeFailure =
  /** `exec: "": executable file not found`: neither the image nor the spec gives a command. */
  | { readonly kind: "no-command"; readonly detail: string }
  | { readonly kind: "command-missing"; readonly command: string; readonly detail: string }
  | { readonly kind: "not-executable"; readonly command: string; readonly detail: string }
  /** The binary is for another CPU architecture (or a script without a `#!` line). */
  | { readonly kind: "exec-format"; readonly detail: string }
  | { readonly kind: "mount"; readonly source: string; readonly target: string; readonly reason: string; readonly detail: string };

const unescape = (message: string) => message.replace(/\\+"/g, '"');

/** `/var/lib/docker/overlay2/<id>/merged/etc/app.yml` → `/etc/app.yml`: the path as the container sees it. */
const insideContainer = (path: string): string => {
  for (const marker of ["/merged/", "/rootfs/"]) {
    const i = path.indexOf(marker);
    if (i >= 0) return path.slice(i + marker.length - 1);
  }
  return path;
};

/*
 * Real messages behind each branch (quoted in the tests): exec of a missing path
 * (kubernetes/kubernetes#77644 `exec: "/binbash": stat /binbash: no such file or directory`,
 * moby/moby#38610 `exec: "./start.sh": stat ./start.sh: …`), a command not in $PATH
 * (opencontainers/runc#4713) or no command at all (vdesabou/kafka-docker-playground#8515
 * `exec: "": executable file not found in $PATH`), exec format errors (canonical/microk8s#1942,
 * kubearmor/KubeArmor#1101), and bind mounts of the wrong type (kubernetes/kubernetes#61545,
 * abiosoft/caddy-docker#87 `… caused "not a directory" … Are you trying to mount a directory onto a file`).
 */
export const describeRuntimeFailure = (message: string): RuntimeFailure | undefined => {
  const m = unescape(message);
  const exec = /exec: "([^"]*)": (executable file not found in \$PATH|stat [^:"]+: no such file or directory|no such file or directory|permission denied)/.exec(m);
  if (exec !== null) {
    const command = exec[1] ?? "";
    const detail = `exec: "${command}": ${exec[2] ?? ""}`;
    if (command === "") return { kind: "no-command", detail };
    if (/permission denied/.test(exec[2] ?? "")) return { kind: "not-executable", command, detail };
    return { kind: "command-missing", command, detail };
  }
  const format = /(?:exec (?:user process caused|\S+):? ?)?exec format error/.exec(m);
  if (format !== null) return { kind: "exec-format", detail: format[0] };
  const mount =
    /mounting "([^"]+)" to rootfs (?:"[^"]*" )?at "([^"]+)" caused:? "?([^"]+?)"?(?:$|: unknown|")/.exec(m) ?? /error mounting "([^"]+)" to rootfs at "([^"]+)": (?:[^"]*?: )?([a-z][a-z ]+?)(?::\s*unknown)?\s*$/.exec(m.trim());
  if (mount !== null) {
    const target = insideContainer(mount[2] ?? "");
    const reason = (mount[3] ?? "").replace(/^.*: /, "").trim();
    return { kind: "mount", source: mount[1] ?? "", target, reason, detail: `mounting ${mount[1] ?? ""} at ${target}: ${reason}` };
  }
  return undefined;
};

const SHELL = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|ash|dash|zsh)$/;

/**
 * The words for a command the image does not contain. A shell that is missing means the image
 * ships none (distroless and scratch images hold only the program): GoogleContainerTools/distroless#891,
 * kubeflow/mpi-operator#254 (`ENTRYPOINT ["/bin/sh", "-c"]` on distroless), raffis/mongodb-query-exporter#25
 * and zebernst/homelab#1094 (`/bin/sh -ec` around registry.k8s.io/kubectl), all
 * `exec: "/bin/sh": stat /bin/sh: no such file or directory`.
 */
export const missingCommandText = (what: string, command: string, image: string): string =>
  SHELL.test(command)
    ? `image ${image} has no shell: ${what}, ${command}, does not exist in it (a distroless or minimal image holds only its program)`
    : `${what}, ${command}, does not exist in image ${image}`;

/** What to do about a command the image does not contain. */
export const missingCommandAction = (command: string, container: string): string =>
  SHELL.test(command)
    ? `Run the program of ${container} directly (its path as \`command\`, arguments as \`args\`) instead of through ${command}, or use an image variant that ships a shell (e.g. a :debug tag)`
    : `Fix \`command\` of ${container} in the manifest (${command} is not in the image), or use an image that contains it`;
