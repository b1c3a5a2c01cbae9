import type { Volume } from "../kube/KubeObjects.js";
import { causeText } from "./podFacts.js";

/*
 * Why the kubelet cannot mount a volume, read from the failure's own words (the kubelet's checks,
 * mount(8), mount.nfs, mount.cifs, the CSI plumbing) and the volume's type from the pod's spec.
 * A mount runs on the pod's node, so most of these causes are that node's: the title names it.
 */

export type MountFailureKind =
  /** `hostPath type check failed: /data is not a directory`: the path is missing on the node (or of another type). */
  | "hostpath-missing"
  /** A local PersistentVolume whose path the kubelet does not find on the node. */
  | "local-path-missing"
  /** `configmap references non-existent config key: x`: the volume's items name a key its ConfigMap or Secret lacks. */
  | "missing-key"
  /** mount(8) has no `mount.<type>` helper for a network filesystem: the node lacks its client utilities. */
  | "helper-missing"
  /** A block device whose filesystem cannot be mounted as the type asked (unformatted, partitioned, corrupt). */
  | "bad-filesystem"
  /** `mount.nfs: access denied by server while mounting host:/path`. */
  | "server-denied"
  /** `mount.nfs: mounting host:/path failed, reason given by server: No such file or directory`. */
  | "export-missing"
  /** `mount.nfs: Connection timed out` and the like: the node does not reach the server. */
  | "server-unreachable"
  /** `mount error(13): Permission denied` from mount.cifs: the SMB server refuses the credentials. */
  | "credentials-refused"
  /** `driver name X not found in the list of registered CSI drivers`: its node plugin is not registered on that node. */
  | "csi-driver-not-registered"
  | "unknown";

export interface MountFailure {
  readonly kind: MountFailureKind;
  /** The volume the message names (`for volume "gamefiles"`). */
  readonly volume?: string;
  /** The filesystem type mounted (`nfs`, `cifs`, `xfs`), from the mount command, the volume plugin or the spec. */
  readonly fsType?: string;
  /** What to put after "<workload> cannot start: ": the cause, naming the node where it lies there. */
  readonly cause: string;
  /** Why the words mean that cause: how Kubernetes or the mount tool behaves. */
  readonly why?: string;
  /** The words name the cause outright (true), or one of a few (false). */
  readonly certain: boolean;
  readonly action: string;
}

export interface MountContext {
  /** The node the pod was scheduled to: where the mount ran. */
  readonly node?: string;
  /** That node's `status.nodeInfo.containerRuntimeVersion` (`containerd://1.6.8`), when it was read. */
  readonly runtime?: string;
  /** The pod's volumes, to find the one the message names and its type. */
  readonly volumes?: ReadonlyArray<Volume>;
}

/** `for volume "pvc-…"`, or the spec name older kubelets added: `(spec.Name: "nfs")`. */
const volumeOf = (message: string): string | undefined => {
  const m = /failed for volume "([^"]+)"(?: \(spec\.Name: "([^"]+)"\))?/.exec(message);
  return m?.[2] ?? m?.[1];
};

const NETWORK_FS: Readonly<Record<string, { readonly name: string; readonly helper: string; readonly packages: string }>> = {
  nfs: { name: "NFS", helper: "mount.nfs", packages: "nfs-common on Debian/Ubuntu, nfs-utils on RHEL/Fedora/Amazon Linux" },
  nfs4: { name: "NFS", helper: "mount.nfs4", packages: "nfs-common on Debian/Ubuntu, nfs-utils on RHEL/Fedora/Amazon Linux" },
  cifs: { name: "SMB/CIFS", helper: "mount.cifs", packages: "cifs-utils" },
  smb3: { name: "SMB/CIFS", helper: "mount.smb3", packages: "cifs-utils" },
  glusterfs: { name: "GlusterFS", helper: "mount.glusterfs", packages: "glusterfs-client on Debian/Ubuntu, glusterfs-fuse on RHEL" },
  ceph: { name: "CephFS", helper: "mount.ceph", packages: "ceph-common" }
};

const BLOCK_FS = new Set(["ext2", "ext3", "ext4", "xfs", "btrfs"]);

/** The filesystem type: `mount -t nfs`, the in-tree plugin's directory (`kubernetes.io~nfs`), the old argument order (`… nfs []`), or the spec. */
const fsTypeOf = (message: string, volume: Volume | undefined): string | undefined => {
  const flag = /(?:^|\s|\[)-t\s+([a-z0-9]+)\b/.exec(message)?.[1];
  if (flag !== undefined) return flag;
  const plugin = /kubernetes\.io~(nfs|cifs|glusterfs|cephfs)\//.exec(message)?.[1];
  if (plugin !== undefined) return plugin === "cephfs" ? "ceph" : plugin;
  const old = /\s(nfs|cifs|glusterfs)\s+\[/.exec(message)?.[1];
  if (old !== undefined) return old;
  return volume?.nfs !== undefined ? "nfs" : undefined;
};

/** `host:/path` of an NFS mount, from the command, mount.nfs' own words, or the spec. */
const nfsTarget = (message: string, volume: Volume | undefined): { readonly server?: string; readonly path?: string } => {
  const m = /(?:(?:^|\s)-t\s+nfs4?\s+(?:-o\s+\S+\s+)?|while mounting\s+|mounting\s+)([^\s:/]+):(\/\S*)/.exec(message);
  if (m !== null) return { server: m[1] ?? "", path: (m[2] ?? "").replace(/[.,]$/, "") };
  const server = volume?.nfs?.server;
  const path = volume?.nfs?.path;
  return { ...(server !== undefined ? { server } : {}), ...(path !== undefined ? { path } : {}) };
};

/** The CSI node plugin runs the mount in its own container; the in-tree plugins run it on the node (or in a containerized kubelet). */
const viaCsi = (message: string): boolean => /rpc error|kubernetes\.io\/csi|kubernetes\.io~csi/.test(message);

const HOSTPATH_WORD: Readonly<Record<string, string>> = {
  directory: "Directory",
  file: "File",
  "socket file": "Socket",
  "character device": "CharDevice",
  "block device": "BlockDevice"
};

/*
 * Paths that belong to one container runtime. A node runs one runtime, and the runtime it runs is
 * its distribution's choice: kind's nodes run containerd with no dockerd, so Docker's socket and
 * state directory are not there (kubernetes-sigs/kind#1002, "kind nodes do not run dockerd");
 * k3s and k3d keep containerd's socket under /run/k3s (eldadru/ksniff#115).
 */
const RUNTIME_PATHS: ReadonlyArray<{ readonly id: string; readonly name: string; readonly instead: string; readonly path: RegExp }> = [
  { id: "docker", name: "the Docker daemon", instead: "containerd on kind, k3s, EKS 1.24+ and GKE; CRI-O on OpenShift", path: /^\/(?:var\/)?run\/docker\.sock$|^\/var\/lib\/docker(?:\/|$)/ },
  { id: "containerd", name: "containerd", instead: "Docker or CRI-O, or a containerd with its socket elsewhere (k3s: /run/k3s/containerd)", path: /^\/(?:var\/)?run\/containerd\/containerd\.sock$|^\/var\/lib\/containerd(?:\/|$)/ },
  { id: "cri-o", name: "CRI-O", instead: "containerd or Docker", path: /^\/(?:var\/)?run\/crio\/crio\.sock$|^\/var\/lib\/containers(?:\/|$)/ }
];

const runtimeOfPath = (path: string) => RUNTIME_PATHS.find((r) => r.path.test(path.trim()));

/*
 * Each branch was written from FailedMount events people pasted (the sources are in the tests):
 * hostPath type checks (Addyvan/valheim-k8s#27, kubernetes/kubernetes#90263, kubernetes-sigs/kind#1002,
 * k8snetworkplumbingwg/sriov-network-metrics-exporter#42), missing keys (kubernetes/website#20043,
 * galexrt/kubernetes-keycloak#5, juicedata/juicefs-operator#39), local volume paths
 * (kubernetes-sigs/sig-storage-local-static-provisioner#107 and #100, openebs/openebs#2767), missing mount helpers
 * (nmaupu/freenas-provisioner#44, longhorn/longhorn#1799, kubernetes-retired/kubeadm-dind-cluster#242,
 * kubernetes-sigs/provider-aws-test-infra#232), block filesystems (kubernetes/kubernetes#101444,
 * ceph/ceph-csi#5239), NFS refusals (kubernetes/examples#220, kubernetes/kubernetes#108963), missing
 * exports (alibaba/nacos#5400, kubernetes-retired/external-storage#960), unreachable servers
 * (huggingface/dataset-viewer#270, rook/nfs#34), SMB credentials (kubernetes-csi/csi-driver-smb#250,
 * democratic-csi/democratic-csi#67), unregistered CSI drivers (kubernetes-sigs/alibaba-cloud-csi-driver#1052,
 * ceph/ceph-csi#710, democratic-csi/democratic-csi#270).
 */
export const describeMountFailure = (message: string, context: MountContext = {}): MountFailure => {
  const m = message.replace(/\s+/g, " ");
  const volumeName = volumeOf(m);
  const volume = (context.volumes ?? []).find((v) => v.name === volumeName);
  const fsType = fsTypeOf(m, volume);
  const on = context.node !== undefined ? `node ${context.node}` : "the pod's node";
  const named = volumeName !== undefined ? `volume ${volumeName}` : "the volume";
  const base = { ...(volumeName !== undefined ? { volume: volumeName } : {}), ...(fsType !== undefined ? { fsType } : {}) };

  const hostPath = /hostPath type check failed: (.+?) is not a (directory|file|socket file|character device|block device)\b/.exec(m);
  if (hostPath !== null) {
    const path = hostPath[1] ?? volume?.hostPath?.path ?? "";
    const word = hostPath[2] ?? "directory";
    const type = volume?.hostPath?.type ?? HOSTPATH_WORD[word] ?? "Directory";
    const create = type === "Directory" ? "DirectoryOrCreate" : type === "File" ? "FileOrCreate" : undefined;
    const owner = runtimeOfPath(path);
    if (owner !== undefined) {
      const running = context.runtime === undefined ? undefined : /^([a-z-]+):\/\//.exec(context.runtime)?.[1];
      const other = running !== undefined && running !== owner.id;
      if (running === undefined || other)
        return {
          kind: "hostpath-missing",
          ...base,
          cause: other
            ? `hostPath ${path} (${named}) is ${owner.name}'s, and ${on} runs ${context.runtime ?? ""}, not ${owner.name}: the path does not exist there (hostPath type check failed)`
            : `hostPath ${path} (${named}, type ${type}) does not exist on ${on}: it is ${owner.name}'s, and a node whose container runtime is not ${owner.name} (${owner.instead}) has none (the node's runtime was not read)`,
          why: `${path} exists only where ${owner.name} runs; Kubernetes nodes run the runtime their distribution chose (kind and k3s nodes, EKS since 1.24 and GKE run containerd), so a pod that mounts another runtime's socket or state directory is tied to nodes that run it.`,
          certain: other,
          action: `Do not depend on ${owner.name} on the node: use the node's own runtime (crictl, its socket) or a runtime-independent tool, or run the pod only where ${owner.name} runs`
        };
    }
    return {
      kind: "hostpath-missing",
      ...base,
      cause: `hostPath ${path} (${named}, type ${type}) does not exist on ${on}, or is not a ${word} there (hostPath type check failed)`,
      why: `With type ${type} the kubelet only checks that ${path} already exists on the node as a ${word}; it creates nothing${create !== undefined ? ` (${create} would create it)` : ""}.`,
      certain: true,
      action:
        create !== undefined
          ? `Create ${path} on ${on} (and on every node the pod may run on), or set the volume's type to ${create} so the kubelet creates it; a kubelet that runs in a container (RKE, kind, k3d) sees its own filesystem, so the path must exist there`
          : `Make ${path} exist on ${on} (for a socket: run what serves it there, e.g. a Docker socket on a containerd node), or keep the pod off nodes that lack it`
    };
  }

  const key = /(configmap|secret)? ?references non-existent (?:config|secret) key: (\S+)/i.exec(m);
  if (key !== null) {
    const secret = /secret/i.test(key[1] ?? "") || /non-existent secret key/.test(m) || (volume?.secret !== undefined && volume.configMap === undefined);
    const source = secret ? volume?.secret?.secretName : volume?.configMap?.name;
    const kind = secret ? "Secret" : "ConfigMap";
    const k = (key[2] ?? "").replace(/[.,]$/, "");
    return {
      kind: "missing-key",
      ...base,
      cause: `${source !== undefined ? `${kind} ${source}` : `the ${kind} of ${named}`} has no key ${k}, which ${source !== undefined ? named : "the volume"} lists in its items`,
      why: `A ${kind} volume with items mounts only the keys it lists; the kubelet refuses the whole volume when one of them is missing (unless the volume is optional).`,
      certain: true,
      action: `Add the key ${k} to ${source !== undefined ? `${kind} ${source}` : `the ${kind}`}, or fix the volume's items (kubectl get ${kind.toLowerCase()} ${source ?? "<name>"} -o jsonpath='{.data}')`
    };
  }
  // A local PersistentVolume (or an OpenEBS/arangodb local one) names a path on its node.
  const local = /NewMounter initialization failed for volume "[^"]+" : path "([^"]+)" does not exist/.exec(m) ?? (/kubernetes\.io~local-volume/.test(m) ? /special device (\S+) does not exist/.exec(m) : null);
  if (local !== null)
    return {
      kind: "local-path-missing",
      ...base,
      cause: `the local volume's path ${local[1] ?? ""} (${named}) does not exist on ${on}, as the kubelet sees it`,
      why: "A local PersistentVolume names a directory or disk that must already exist on its node; the kubelet does not create it. A kubelet that runs in a container (RKE, Rancher) sees its own filesystem, not the host's, unless the path is mounted into it.",
      certain: false,
      action: `Create (or mount) ${local[1] ?? "the path"} on ${on}, or, with a containerized kubelet, make the path visible inside the kubelet's container`
    };

  const network = fsType !== undefined ? NETWORK_FS[fsType] : undefined;
  const helperWords = /you might\s+need a \/sbin\/mount\.(?:<type>|\w*)\s+helper program|missing codepage or helper program/i.test(m);
  if (helperWords && network !== undefined) {
    // Some CSI drivers mount in the host's namespace (Longhorn's nsmounter), others in their own container.
    const where = viaCsi(m) ? `${on} (or the CSI node plugin that mounts there)` : on;
    return {
      kind: "helper-missing",
      ...base,
      cause: `${where} has no ${network.name} client (${network.helper}, package ${network.packages.split(" on ")[0] ?? network.packages}) to mount ${named}: mount fails with "bad option … you might need a /sbin/mount.<type> helper program"`,
      why: `mount(8) hands a ${fsType ?? ""} mount to /sbin/${network.helper}; without it the kernel gets options it cannot parse and mount reports "bad option" and asks for the helper. The mount runs ${viaCsi(m) ? "on the node or in the CSI node plugin's container" : "on the node (or in a containerized kubelet)"}, not in the pod's image.`,
      certain: true,
      action: `Install the ${network.name} client utilities (${network.packages}) on every node that may mount ${network.name} volumes${viaCsi(m) ? " (a CSI node plugin that mounts in its own container needs them in its image)" : " (with a containerized kubelet, in the kubelet's image)"}`
    };
  }
  if (/wrong fs type|bad superblock/i.test(m) && fsType !== undefined && BLOCK_FS.has(fsType)) {
    const device = /bad superblock on (\/dev\/[^\s,]+)/.exec(m)?.[1];
    return {
      kind: "bad-filesystem",
      ...base,
      cause: `the disk of ${named}${device !== undefined ? ` (${device} on ${on})` : ""} cannot be mounted as ${fsType} (wrong fs type, bad option, bad superblock): it holds another filesystem or a partition table, or is corrupt`,
      certain: false,
      action: `Check the device on ${on} (lsblk -f; dmesg | tail): the filesystem it holds must be ${fsType}, or the volume's fsType changed to what it holds`
    };
  }

  const nfs = nfsTarget(m, volume);
  const host = nfs.server ?? "<server>";
  const server = nfs.server !== undefined ? `NFS server ${nfs.server}` : "the NFS server";
  const Server = nfs.server !== undefined ? server : "The NFS server";
  const export_ = nfs.path !== undefined ? `${host}:${nfs.path}` : "its export";
  if (/access denied by server while mounting/i.test(m))
    return {
      kind: "server-denied",
      ...base,
      cause: `${Server} refuses ${on} access to ${export_} (access denied by server): its exports do not allow the node's address, or the path is not exported`,
      certain: false,
      action: `Check /etc/exports on ${host} (the node's address or network must be allowed, and ${nfs.path ?? "the path"} exported), and the NFS version the mount asks (mountOptions nfsvers)`
    };
  if (/reason given by server: No such file or directory/i.test(m))
    return {
      kind: "export-missing",
      ...base,
      cause: `${nfs.path !== undefined ? `path ${nfs.path}` : "the path"} does not exist on ${server} (reason given by server: No such file or directory)`,
      certain: false,
      action: `Create ${nfs.path ?? "the path"} on ${host}, or point the volume at a path the server exports (showmount -e ${host})`
    };
  const unreachable = /mount(?:\.nfs4?)?: (Connection timed out|Connection refused|No route to host|Network is unreachable)/i.exec(m)?.[1];
  if (unreachable !== undefined)
    return {
      kind: "server-unreachable",
      ...base,
      cause: `${Server} cannot be reached from ${on} (mount.nfs: ${unreachable}): the server is down, its address is wrong, or a firewall or security group drops NFS (TCP 2049)`,
      certain: false,
      action: `From ${on}: showmount -e ${host}; nc -zv ${host} 2049. Check the server, its address in the volume, and the firewall/security groups between them`
    };
  if (/mount error\(13\): Permission denied|STATUS_LOGON_FAILURE/i.test(m)) {
    const share = /(\/\/[^\s"]+)/.exec(m)?.[1];
    return {
      kind: "credentials-refused",
      ...base,
      cause: `the SMB server refuses the credentials for ${share ?? "the share"} (mount error(13): Permission denied)`,
      certain: false,
      action: "Check the username, password and domain in the volume's secret, and that this user may access the share (and the SMB version, mountOptions vers=)"
    };
  }
  const driver = /driver name (\S+) not found in the list of registered CSI drivers/.exec(m)?.[1];
  if (driver !== undefined)
    return {
      kind: "csi-driver-not-registered",
      ...base,
      cause: `CSI driver ${driver} is not registered with the kubelet on ${on}: its node plugin does not run there or has not registered`,
      certain: false,
      action: `Check that the node plugin (DaemonSet) of ${driver} runs on ${on} (tolerations, nodeSelector) and read its node-driver-registrar's log; its registration path must be under the kubelet's root directory on that node (--root-dir)`
    };
  return { kind: "unknown", ...base, cause: causeText(message, 160), certain: false, action: "Fix the volume source named in the event" };
};
