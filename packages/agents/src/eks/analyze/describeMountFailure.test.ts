import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeMountFailure, type MountContext } from "./describeMountFailure.js";

/* Every message below is a kubelet FailedMount event as it was pasted in the thread named beside it (multi-line pastes kept with their line breaks). */
const cases: ReadonlyArray<{ source: string; message: string; context?: MountContext; kind: string; cause: RegExp; certain?: boolean }> = [
  {
    source: "Addyvan/valheim-k8s#27",
    message: 'MountVolume.SetUp failed for volume "gamefiles" : hostPath type check failed: /data/valheim-test is not a directory',
    context: { node: "m3.rke.example.org", volumes: [{ name: "gamefiles", hostPath: { path: "/data/valheim-test", type: "Directory" } }] },
    kind: "hostpath-missing",
    cause: /^hostPath \/data\/valheim-test \(volume gamefiles, type Directory\) does not exist on node m3\.rke\.example\.org, or is not a directory there/
  },
  {
    source: "kubernetes/kubernetes#90263",
    message: 'MountVolume.SetUp failed for volume "test-volume" : hostPath type check failed: /data is not a directory',
    kind: "hostpath-missing",
    cause: /^hostPath \/data \(volume test-volume, type Directory\) does not exist on the pod's node/
  },
  {
    source: "kubernetes-sigs/kind#1002",
    message: 'MountVolume.SetUp failed for volume "docker-sock" : hostPath type check failed: /var/run/docker.sock is not a socket file',
    context: { node: "kind1-control-plane" },
    kind: "hostpath-missing",
    // The node's runtime was not pasted: that kind nodes run containerd is outside the material, so not certain.
    cause: /^hostPath \/var\/run\/docker\.sock \(volume docker-sock, type Socket\) does not exist on node kind1-control-plane: it is the Docker daemon's, and a node whose container runtime is not the Docker daemon \(containerd on kind/,
    certain: false
  },
  {
    source: "kubernetes/website#20043",
    message: 'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: redis-config',
    context: { node: "docker-desktop", volumes: [{ name: "config", configMap: { name: "example-redis-config" } }] },
    kind: "missing-key",
    cause: /^ConfigMap example-redis-config has no key redis-config, which volume config lists in its items$/
  },
  {
    source: "galexrt/kubernetes-keycloak#5",
    message: 'MountVolume.SetUp failed for volume "keycloak-scripts" : configmap references non-existent config key: REPLICAS',
    kind: "missing-key",
    cause: /^the ConfigMap of volume keycloak-scripts has no key REPLICAS/
  },
  {
    source: "juicedata/juicefs-operator#39",
    message: 'MountVolume.SetUp failed for volume "init-config" : references non-existent secret key: initconfig',
    context: { volumes: [{ name: "init-config", secret: { secretName: "juicefs-secret" } }] },
    kind: "missing-key",
    cause: /^Secret juicefs-secret has no key initconfig/
  },
  {
    source: "kubernetes-sigs/sig-storage-local-static-provisioner#107",
    message: 'MountVolume.NewMounter initialization failed for volume "local-pv-7f70b248" : path "/mnt/local/vol1" does not exist',
    context: { node: "halfling-fidel" },
    kind: "local-path-missing",
    cause: /^the local volume's path \/mnt\/local\/vol1 \(volume local-pv-7f70b248\) does not exist on node halfling-fidel, as the kubelet sees it$/,
    certain: false
  },
  {
    source: "openebs/openebs#2767",
    message: 'MountVolume.NewMounter initialization failed for volume "pvc-4121ec0e-e815-11e9-a58e-00163e1274b8" : path "/data/openebs/local/pvc-4121ec0e-e815-11e9-a58e-00163e1274b8" does not exist',
    context: { node: "internal-k8s-master1" },
    kind: "local-path-missing",
    cause: /^the local volume's path \/data\/openebs\/local\/pvc-4121ec0e/,
    certain: false
  },
  {
    source: "kubernetes-sigs/sig-storage-local-static-provisioner#100",
    message:
      'MountVolume.SetUp failed for volume "local-pv-3a82f760" : mount failed: exit status 32 Mounting command: mount Mounting arguments: -o bind /mnt/disks/disk1 /var/lib/kubelet/pods/27153f2b-7664-11e9-95b0-000af7854ba0/volumes/kubernetes.io~local-volume/local-pv-3a82f760 Output: mount: special device /mnt/disks/disk1 does not exist',
    kind: "local-path-missing",
    cause: /^the local volume's path \/mnt\/disks\/disk1 \(volume local-pv-3a82f760\) does not exist/,
    certain: false
  },
  {
    source: "nmaupu/freenas-provisioner#44",
    message:
      'MountVolume.SetUp failed for volume "pvc-c07c28ce-c985-4301-aac3-fe740acdb909" : mount failed: exit status 32 Mounting command: systemd-run Mounting arguments: --description=Kubernetes transient mount for /var/snap/microk8s/common/var/lib/kubelet/pods/e39c738f-9f84-4373-b01f-f9230bb731f5/volumes/kubernetes.io~nfs/pvc-c07c28ce-c985-4301-aac3-fe740acdb909 --scope -- mount -t nfs 192.168.1.222:/mnt/WD/storage/default/freenas-test-pvc /var/snap/microk8s/common/var/lib/kubelet/pods/e39c738f-9f84-4373-b01f-f9230bb731f5/volumes/kubernetes.io~nfs/pvc-c07c28ce-c985-4301-aac3-fe740acdb909 Output: Running scope as unit: run-r696e73d75a2e44f19756b9353ec38ea0.scope mount: /var/snap/microk8s/common/var/lib/kubelet/pods/e39c738f-9f84-4373-b01f-f9230bb731f5/volumes/kubernetes.io~nfs/pvc-c07c28ce-c985-4301-aac3-fe740acdb909: bad option; for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program.',
    context: { node: "ubuntu" },
    kind: "helper-missing",
    cause: /^node ubuntu has no NFS client \(mount\.nfs, package nfs-common\) to mount volume pvc-c07c28ce-c985-4301-aac3-fe740acdb909/
  },
  {
    source: "kubernetes-retired/kubeadm-dind-cluster#242 (util-linux before 2.33)",
    message:
      'MountVolume.SetUp failed for volume "documents" : mount failed: exit status 32\nMounting command: systemd-run\nMounting arguments: --description=Kubernetes transient mount for /var/lib/kubelet/pods/804e9670-d21d-11e8-ae04-be44ca8ed1e2/volumes/kubernetes.io~nfs/documents --scope -- mount -t nfs fileserver:/documents /var/lib/kubelet/pods/804e9670-d21d-11e8-ae04-be44ca8ed1e2/volumes/kubernetes.io~nfs/documents\nOutput: Running scope as unit: run-r1a333dd87a9a4bc8a329862f7e37f745.scope\nmount: wrong fs type, bad option, bad superblock on fileserver:/documents,\n       missing codepage or helper program, or other error\n       (for several filesystems (e.g. nfs, cifs) you might\n       need a /sbin/mount.<type> helper program)\n\n       In some cases useful info is found in syslog - try\n       dmesg | tail or so.',
    kind: "helper-missing",
    cause: /^the pod's node has no NFS client \(mount\.nfs/
  },
  {
    source: "kubernetes-sigs/provider-aws-test-infra#232 (mount without systemd-run)",
    message:
      'MountVolume.SetUp failed for volume "pvc-3057a841-83d6-4fe1-a5c3-30eadb40c235" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o relatime,vers=4.1 172.31.26.195:/export/pvc-3057a841-83d6-4fe1-a5c3-30eadb40c235 /var/lib/kubelet/pods/2912148a-e10d-4d0f-80cb-56ab36409961/volumes/kubernetes.io~nfs/pvc-3057a841-83d6-4fe1-a5c3-30eadb40c235\nOutput: mount: /var/lib/kubelet/pods/2912148a-e10d-4d0f-80cb-56ab36409961/volumes/kubernetes.io~nfs/pvc-3057a841-83d6-4fe1-a5c3-30eadb40c235: bad option; for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program.',
    context: { node: "ip-172-31-25-49.ec2.internal" },
    kind: "helper-missing",
    cause: /^node ip-172-31-25-49\.ec2\.internal has no NFS client/
  },
  {
    source: "kubernetes/kubernetes#101444 (an xfs disk, not a missing helper)",
    message:
      'MountVolume.MountDevice failed for volume "pvc-f88bdca6-7794-455a-872f-8230f1ce295d" : mount failed: exit status 32\nMounting command: systemd-run\nMounting arguments: --description=Kubernetes transient mount for /var/lib/kubelet/plugins/kubernetes.io/aws-ebs/mounts/aws/us-east-2a/vol-087b3e95d1aa21e03 --scope -- mount -t xfs -o debug,defaults /dev/xvdbq /var/lib/kubelet/plugins/kubernetes.io/aws-ebs/mounts/aws/us-east-2a/vol-087b3e95d1aa21e03\nOutput: Running scope as unit run-4113.scope.\nmount: /var/lib/kubelet/plugins/kubernetes.io/aws-ebs/mounts/aws/us-east-2a/vol-087b3e95d1aa21e03: wrong fs type, bad option, bad superblock on /dev/nvme1n1, missing codepage or helper program, or other error.',
    kind: "bad-filesystem",
    cause: /cannot be mounted as xfs \(wrong fs type, bad option, bad superblock\)/,
    certain: false
  },
  {
    source: "kubernetes/kubernetes#108963",
    message:
      'MountVolume.SetUp failed for volume "pv01" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs 192.168.43.16:/nfs_share /var/lib/kubelet/pods/c9c0e520-2c9c-4970-b41e-90d4d6d38ead/volumes/kubernetes.io~nfs/pv01\nOutput: mount.nfs: access denied by server while mounting 192.168.43.16:/nfs_share',
    context: { node: "docker-desktop" },
    kind: "server-denied",
    cause: /^NFS server 192\.168\.43\.16 refuses node docker-desktop access to 192\.168\.43\.16:\/nfs_share \(access denied by server\)/,
    certain: false
  },
  {
    source: "kubernetes/examples#220",
    message:
      'MountVolume.SetUp failed for volume "nfs" : mount failed: exit status 32 Mounting command: systemd-run Mounting arguments: -description=Kubernetes transient mount for /var/lib/kubelet/pods/4df483ce-2eb4-11e8-b73c-02f3569a6c30/volumes/kubernetes.io~nfs/nfs --scope - mount -t nfs 10.43.103.112:/ /var/lib/kubelet/pods/4df483ce-2eb4-11e8-b73c-02f3569a6c30/volumes/kubernetes.io~nfs/nfs Output: Running scope as unit run-r7f98d0cc28f24eea92d7ab1eaaac6312.scope. \nmount.nfs: access denied by server while mounting 10.43.103.112:/',
    kind: "server-denied",
    cause: /^NFS server 10\.43\.103\.112 refuses/,
    certain: false
  },
  {
    source: "alibaba/nacos#5400",
    message:
      'MountVolume.SetUp failed for volume "pvc-a9cf8b45-35ae-4184-b897-040c3cfef7bc" : mount failed: exit status 32\nMounting command: systemd-run\nMounting arguments: --description=Kubernetes transient mount for /var/lib/kubelet/pods/b463fa33-ad5a-45e4-b408-1568ad02076f/volumes/kubernetes.io~nfs/pvc-a9cf8b45-35ae-4184-b897-040c3cfef7bc --scope -- mount -t nfs 10.10.30.100:/data/nfs-share/default-plugindir-nacos-0-pvc-a9cf8b45-35ae-4184-b897-040c3cfef7bc /var/lib/kubelet/pods/b463fa33-ad5a-45e4-b408-1568ad02076f/volumes/kubernetes.io~nfs/pvc-a9cf8b45-35ae-4184-b897-040c3cfef7bc\nOutput: Running scope as unit: run-9996.scope.\nmount.nfs: mounting 10.10.30.100:/data/nfs-share/default-plugindir-nacos-0-pvc-a9cf8b45-35ae-4184-b897-040c3cfef7bc failed, reason given by server: No such file or directory',
    kind: "export-missing",
    cause: /^path \/data\/nfs-share\/default-plugindir-nacos-0-pvc-a9cf8b45-35ae-4184-b897-040c3cfef7bc does not exist on NFS server 10\.10\.30\.100/,
    certain: false
  },
  {
    source: "kubernetes-retired/external-storage#960",
    message:
      'MountVolume.SetUp failed for volume "pvc-7d6877db-a73c-11e8-ac32-64006a90f782" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs 192.168.2.42:/opt/data/k8s/default-test-claim-pvc-7d6877db-a73c-11e8-ac32-64006a90f782 /var/lib/kubelet/pods/7d6eae7b-a73c-11e8-ac32-64006a90f782/volumes/kubernetes.io~nfs/pvc-7d6877db-a73c-11e8-ac32-64006a90f782\nOutput: mount.nfs: mounting 192.168.2.42:/opt/data/k8s/default-test-claim-pvc-7d6877db-a73c-11e8-ac32-64006a90f782 failed, reason given by server: No such file or directory',
    kind: "export-missing",
    cause: /does not exist on NFS server 192\.168\.2\.42/,
    certain: false
  },
  {
    source: "huggingface/dataset-viewer#270",
    message:
      'MountVolume.SetUp failed for volume "nfs" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs svm-0adb40782285e2ec6.fs-0220b222fb471f3b9.fsx.us-east-1.amazonaws.com:/fsx /var/lib/kubelet/pods/5088f644-f128-4b8c-b7e3-a9058904ac8e/volumes/kubernetes.io~nfs/nfs\nOutput: mount.nfs: Connection timed out',
    context: { node: "ip-10-0-30-134.ec2.internal" },
    kind: "server-unreachable",
    cause: /^NFS server svm-0adb40782285e2ec6\.fs-0220b222fb471f3b9\.fsx\.us-east-1\.amazonaws\.com cannot be reached from node ip-10-0-30-134\.ec2\.internal \(mount\.nfs: Connection timed out\)/,
    certain: false
  },
  {
    source: "rook/nfs#34",
    message:
      'MountVolume.SetUp failed for volume "pvc-22e54ab0-8980-4f54-a4b4-fe5f2940ad44" : mount failed: exit status 32 Mounting command: mount Mounting arguments: -t nfs 10.0.234.152:/nfs-default-claim/test-pvc-22e54ab0-8980-4f54-a4b4-fe5f2940ad44 /var/lib/kubelet/pods/fffe3c67-314e-46a5-8b89-15e18d9ac464/volumes/kubernetes.io~nfs/pvc-22e54ab0-8980-4f54-a4b4-fe5f2940ad44 Output: mount.nfs: Connection timed out',
    kind: "server-unreachable",
    cause: /^NFS server 10\.0\.234\.152 cannot be reached/,
    certain: false
  },
  {
    source: "kubernetes-csi/csi-driver-smb#250",
    message:
      'MountVolume.MountDevice failed for volume "my-pv" : rpc error: code = Internal desc = volume(UB7GTX) mount "//xx.xx.xx.xx/mYShare" on "/var/lib/kubelet/plugins/kubernetes.io/csi/pv/my-pv/globalmount" failed with mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t cifs -o dir_mode=0777,file_mode=0777,vers=3.0,<masked> //xx.xx.xx.xx/mYShare /var/lib/kubelet/plugins/kubernetes.io/csi/pv/my-pv/globalmount\nOutput: mount error(13): Permission denied\nRefer to the mount.cifs(8) manual page (e.g. man mount.cifs)',
    kind: "credentials-refused",
    cause: /^the SMB server refuses the credentials for \/\/xx\.xx\.xx\.xx\/mYShare \(mount error\(13\): Permission denied\)$/,
    certain: false
  },
  {
    source: "democratic-csi/democratic-csi#67",
    message:
      'MountVolume.MountDevice failed for volume "pvc-e465b419-30fe-4b91-a034-00c7915f9b7d" : rpc error: code = Internal desc = {"code":32,"stdout":"","stderr":"mount error(13): Permission denied\\nRefer to the mount.cifs(8) manual page (e.g. man mount.cifs)\\n"}',
    kind: "credentials-refused",
    cause: /^the SMB server refuses the credentials for the share/,
    certain: false
  },
  {
    source: "kubernetes-sigs/alibaba-cloud-csi-driver#1052",
    message:
      'MountVolume.MountDevice failed for volume "nas-1ca03f15-eadb-4908-b6a4-15460bb6480c" : kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name nasplugin.csi.alibabacloud.com not found in the list of registered CSI drivers',
    context: { node: "kubernetes-master-001" },
    kind: "csi-driver-not-registered",
    cause: /^CSI driver nasplugin\.csi\.alibabacloud\.com is not registered with the kubelet on node kubernetes-master-001/,
    certain: false
  },
  {
    source: "ceph/ceph-csi#710",
    message: 'MountVolume.MountDevice failed for volume "pvc-5d317451-01f2-11ea-b95f-eeeeeeeeeeee" : driver name rbd.csi.ceph.com not found in the list of registered CSI drivers',
    context: { node: "master3" },
    kind: "csi-driver-not-registered",
    cause: /^CSI driver rbd\.csi\.ceph\.com is not registered with the kubelet on node master3/,
    certain: false
  }
];

const bySource = (source: string) => {
  const c = cases.find((x) => x.source === source);
  if (c === undefined) throw new Error(`no case ${source}`);
  return c;
};

describe("describeMountFailure", () => {
  for (const c of cases)
    it(`${c.kind}: ${c.source}`, () => {
      const f = describeMountFailure(c.message, c.context);
      expect(f.kind).toBe(c.kind);
      expect(f.cause).toMatch(c.cause);
      expect(f.certain).toBe(c.certain ?? true);
    });

  it("reads the filesystem type from the command, the plugin's directory, or the spec", () => {
    expect(describeMountFailure(bySource("nmaupu/freenas-provisioner#44").message).fsType).toBe("nfs");
    // The kubelet of OpenShift 3 wrote the type after the paths (kubernetes-retired/external-storage#492).
    expect(
      describeMountFailure(
        'MountVolume.SetUp failed for volume "kubernetes.io/nfs/ad2addf5-pvc-38ebabac" (spec.Name: "pvc-38ebabac-d581-11e7-9625-00155dc8281a") pod "ad2addf5" (UID: "ad2addf5") with: mount failed: exit status 32\nMounting command: mount\nMounting arguments: 192.168.70.103:/var/export/persistvol/default-test-claim /var/lib/origin/openshift.local.volumes/pods/ad2addf5/volumes/kubernetes.io~nfs/pvc-38ebabac nfs []\nOutput: mount.nfs: mounting 192.168.70.103:/var/export/persistvol/default-test-claim failed, reason given by server: No such file or directory'
      )
    ).toMatchObject({ kind: "export-missing", volume: "pvc-38ebabac-d581-11e7-9625-00155dc8281a", fsType: "nfs" });
    expect(describeMountFailure('MountVolume.SetUp failed for volume "data" : mount failed: exit status 32 Output: mount.nfs: Connection timed out', { volumes: [{ name: "data", nfs: { server: "nas.lan", path: "/export" } }] })).toMatchObject({
      kind: "server-unreachable",
      fsType: "nfs",
      cause: expect.stringMatching(/^NFS server nas\.lan cannot be reached/) as unknown
    });
  });

  it("says DirectoryOrCreate for a Directory hostPath and names the CSI node plugin when the mount runs there", () => {
    const valheim = bySource("Addyvan/valheim-k8s#27");
    expect(describeMountFailure(valheim.message, valheim.context).action).toContain("DirectoryOrCreate");
    // longhorn/longhorn#3229: Longhorn's CSI plugin mounts its RWX (NFS) volumes through the host.
    const csi = describeMountFailure(
      'MountVolume.MountDevice failed for volume "pvc-97b1f277-a0d4-434d-b243-3dd9c7e1a311" : rpc error: code = Internal desc = mount failed: exit status 32\nMounting command: /bin/systemd-run\nMounting arguments: [--description=Kubernetes transient mount for /var/lib/kubelet/plugins/kubernetes.io/csi/pv/pvc-97b1f277-a0d4-434d-b243-3dd9c7e1a311/globalmount --scope -- /bin/mount -t nfs -o vers=4.1,noresvport,soft,intr,timeo=30,retrans=3 172.16.66.191:/pvc-97b1f277-a0d4-434d-b243-3dd9c7e1a311 /var/lib/kubelet/plugins/kubernetes.io/csi/pv/pvc-97b1f277-a0d4-434d-b243-3dd9c7e1a311/globalmount]\nOutput: Running scope as unit run-25999.scope.\nmount: wrong fs type, bad option, bad superblock on 172.16.66.191:/pvc-97b1f277-a0d4-434d-b243-3dd9c7e1a311,\n       missing codepage or helper program, or other error\n       (for several filesystems (e.g. nfs, cifs) you might\n       need a /sbin/mount.<type> helper program)\n\n       In some cases useful info is found in syslog - try\n       dmesg | tail or so.',
      { node: "k8s-106" }
    );
    expect(csi.kind).toBe("helper-missing");
    expect(csi.cause).toMatch(/^node k8s-106 \(or the CSI node plugin that mounts there\) has no NFS client/);
  });

  it("names the node's runtime when a hostPath of another runtime is missing (kubernetes-sigs/kind#1002; eldadru/ksniff#115)", () => {
    const docker = bySource("kubernetes-sigs/kind#1002");
    const onContainerd = describeMountFailure(docker.message, { node: "kind1-control-plane", runtime: "containerd://1.3.0" });
    expect(onContainerd.certain).toBe(true);
    expect(onContainerd.cause).toBe("hostPath /var/run/docker.sock (volume docker-sock) is the Docker daemon's, and node kind1-control-plane runs containerd://1.3.0, not the Docker daemon: the path does not exist there (hostPath type check failed)");
    // On a node that does run Docker the socket is simply missing: the plain reading stands.
    expect(describeMountFailure(docker.message, { node: "n1", runtime: "docker://19.3.1" }).cause).toMatch(/does not exist on node n1, or is not a socket file there/);
    // k3d keeps containerd's socket under /run/k3s: containerd's standard path is missing there too.
    const k3d = describeMountFailure('MountVolume.SetUp failed for volume "container-socket" : hostPath type check failed: /run/containerd/containerd.sock is not a socket file');
    expect(k3d.certain).toBe(false);
    expect(k3d.cause).toContain("k3s: /run/k3s/containerd");
  });

  it("leaves messages it does not know as they are, cut without losing their end", () => {
    const f = describeMountFailure('MountVolume.SetUp failed for volume "x" : rpc error: code = Unknown desc = something else went wrong');
    expect(f.kind).toBe("unknown");
    expect(f.certain).toBe(false);
    expect(f.cause).toContain("something else went wrong");
  });

  it("never throws and never claims certainty without a recognised cause", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const f = describeMountFailure(text);
        expect(typeof f.cause).toBe("string");
        if (f.kind === "unknown") expect(f.certain).toBe(false);
      })
    );
  });
});
