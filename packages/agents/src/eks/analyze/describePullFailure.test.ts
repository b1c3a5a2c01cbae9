import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describePullFailure, parseImageRef } from "./describePullFailure.js";

/* Every message below is a kubelet `Failed` event as it was pasted in the thread named beside it. */
const cases: ReadonlyArray<{ source: string; image: string; message: string; kind: string; cause: RegExp; certain?: boolean }> = [
  {
    source: "dell/csi-baremetal#391",
    image: "centos",
    message:
      'Failed to pull image "centos": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/centos:latest": failed to copy: httpReaderSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/centos/manifests/sha256:dbbacecc49b088458781c16f3775f2a2ec7521079034a7ba499c8b0bb7f86875: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
    kind: "rate-limited",
    cause: /^Docker Hub \(docker\.io, registry-1\.docker\.io\) rate limit reached \(429 toomanyrequests\)$/
  },
  {
    source: "red-hat-storage/ocs-ci#4494",
    image: "obsidiandynamics/kafdrop:latest",
    message:
      'Failed to pull image "obsidiandynamics/kafdrop:latest": rpc error: code = Unknown desc = Error reading manifest latest in docker.io/obsidiandynamics/kafdrop: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
    kind: "rate-limited",
    cause: /^Docker Hub \(docker\.io\) rate limit/
  },
  {
    source: "kubernetes/kubernetes#43924",
    image: "10.78.0.228:5000/monitorms",
    message: 'Failed to pull image "10.78.0.228:5000/monitorms": Error response from daemon: {"message":"Get https://10.78.0.228:5000/v1/_ping: x509: certificate signed by unknown authority"}',
    kind: "tls",
    cause: /^the node does not trust the TLS certificate of registry 10\.78\.0\.228:5000 \(x509: certificate signed by unknown authority\)$/
  },
  {
    source: "kubernetes/community#760",
    image: "registry.example.nip.io/ms-accounts:0.0.1",
    message:
      'Failed to pull image "registry.example.nip.io/ms-accounts:0.0.1": rpc error: code = 2 desc = Error response from daemon: {"message":"Get https://registry.example.nip.io/v1/_ping: x509: certificate signed by unknown authority"}',
    kind: "tls",
    cause: /registry registry\.example\.nip\.io \(x509: certificate signed by unknown authority\)/
  },
  {
    source: "rancher-sandbox/rancher-desktop#579",
    image: "nginx:latest",
    message:
      'Failed to pull image "nginx:latest": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginx:latest": failed to resolve reference "docker.io/library/nginx:latest": failed to do request: Head "https://registry-1.docker.io/v2/library/nginx/manifests/latest": dial tcp: lookup registry-1.docker.io: Try again',
    kind: "dns",
    cause: /^DNS lookup of registry host registry-1\.docker\.io fails on the node \(lookup registry-1\.docker\.io: Try again\)$/
  },
  {
    source: "hjacobs/kube-ops-view#176",
    image: "hjacobs/kube-ops-view:0.8.1",
    message:
      'Failed to pull image "hjacobs/kube-ops-view:0.8.1": rpc error: code = Unknown desc = Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: server misbehaving',
    kind: "dns",
    cause: /lookup registry-1\.docker\.io on 127\.0\.0\.53:53: server misbehaving/
  },
  {
    source: "Stirling-Tools/Stirling-PDF#1209",
    image: "frooodle/s-pdf:0.23.2",
    message:
      'Failed to pull image "frooodle/s-pdf:0.23.2": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/frooodle/s-pdf:0.23.2": failed to resolve reference "docker.io/frooodle/s-pdf:0.23.2": docker.io/frooodle/s-pdf:0.23.2: not found',
    kind: "not-found",
    cause: /^tag 0\.23\.2 of frooodle\/s-pdf does not exist in docker\.io \(not found\)$/
  },
  {
    source: "TilBlechschmidt/WebGrid#50",
    image: "webgrid/api",
    message: 'Failed to pull image "webgrid/api": rpc error: code = Unknown desc = Error response from daemon: manifest for webgrid/api:latest not found: manifest unknown: manifest unknown',
    kind: "not-found",
    cause: /^tag latest of webgrid\/api does not exist/
  },
  {
    source: "FoundationDB/fdb-kubernetes-operator#2294",
    image: "foundationdb/fdb-kubernetes-operator:v2.6.0",
    message:
      'Failed to pull image "foundationdb/fdb-kubernetes-operator:v2.6.0": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/foundationdb/fdb-kubernetes-operator:v2.6.0": no match for platform in manifest: not found',
    kind: "platform",
    cause: /no build for the node's architecture linux\/arm64 \(no match for platform in manifest\)/
  },
  {
    source: "cilium/image-tools#61",
    image: "docker.io/cilium/startup-script:af2a99046eca96c0138551393b21a5c044c7fe79",
    message:
      'Failed to pull image "docker.io/cilium/startup-script:af2a99046eca96c0138551393b21a5c044c7fe79": rpc error: code = Unknown desc = no matching manifest for linux/arm/v7 in the manifest list entries',
    kind: "platform",
    cause: /linux\/arm\/v7 \(no matching manifest\)/
  },
  {
    source: "octarinesec/octarine-operator#15",
    image: "octarinesec/guardrails-enforcer:20.7",
    message:
      "Failed to pull image \"octarinesec/guardrails-enforcer:20.7\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for octarinesec/guardrails-enforcer, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    kind: "missing-or-private",
    cause: /^repository octarinesec\/guardrails-enforcer does not exist on docker\.io or needs credentials \(pull access denied\); the pod has no imagePullSecrets$/,
    certain: false
  },
  {
    source: "kubernetes/website#14257",
    image: "rmeuser-auth:latest",
    message: "Failed to pull image \"rmeuser-auth:latest\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for rmeuser-auth, repository does not exist or may require 'docker login'",
    kind: "missing-or-private",
    cause: /repository rmeuser-auth does not exist/,
    certain: false
  },
  {
    source: "octarinesec/octarine-operator#15",
    image: "octarinesec/guardrails-enforcer:20.7",
    message: 'Failed to pull image "octarinesec/guardrails-enforcer:20.7": rpc error: code = Unknown desc = Error response from daemon: unauthorized: authentication required',
    kind: "unauthorized",
    certain: false,
    cause: /^registry docker\.io refused the pull \(unauthorized: authentication required\)/
  },
  {
    source: "helm/helm#12189",
    image: "smartsitealfaacr.azurecr.io/aem6.5-authbaseimage:v2",
    message:
      'Failed to pull image "smartsitealfaacr.azurecr.io/aem6.5-authbaseimage:v2": rpc error: code = Unknown desc = Error response from daemon: Head "https://smartsitealfaacr.azurecr.io/v2/aem6.5-authbaseimage/manifests/v2": unauthorized: authentication required, visit https://aka.ms/acr/authorization for more information.',
    kind: "unauthorized",
    certain: false,
    cause: /^registry smartsitealfaacr\.azurecr\.io refused the pull \(unauthorized: authentication required\)/
  },
  {
    source: "kubernetes/kubernetes#110678",
    image: "registry.app.xxx.net/spm2fog/partsgo42:GitActionsNew-2e7e78f",
    message:
      'Failed to pull image "registry.app.xxx.net/spm2fog/partsgo42:GitActionsNew-2e7e78f": rpc error: code = Unknown desc = failed to pull and unpack image "registry.app.xxx.net/spm2fog/partsgo42:GitActionsNew-2e7e78f": failed to resolve reference "registry.app.xxx.net/spm2fog/partsgo42:GitActionsNew-2e7e78f": pulling from host registry.app.xxx.net failed with status code [manifests GitActionsNew-2e7e78f]: 401 Unauthorized',
    kind: "unauthorized",
    certain: false,
    cause: /^registry registry\.app\.xxx\.net refused the pull \(401 Unauthorized\)/
  }
];

describe("describePullFailure names the registry's reason", () => {
  for (const c of cases)
    it(`${c.kind} (${c.source})`, () => {
      const f = describePullFailure(c.message, { image: c.image, nodeArch: "arm64" });
      expect(f.kind).toBe(c.kind);
      expect(f.cause).toMatch(c.cause);
      expect(f.certain).toBe(c.certain ?? true);
    });

  it("keeps a refusal of credentials a symptom, and names the node's cloud identity for a cloud registry without imagePullSecrets (kubeflow/kubeflow#1432, aws/amazon-vpc-cni-k8s#708)", () => {
    const gcr = describePullFailure('Failed to pull image "gcr.io/ml-writers/sarahmaddox-kf-gcp-train:1535231259": rpc error: code = Unknown desc = unauthorized: authentication required', {
      image: "gcr.io/ml-writers/sarahmaddox-kf-gcp-train:1535231259"
    });
    expect(gcr).toMatchObject({ kind: "unauthorized", certain: false });
    expect(gcr.cause).toContain("OAuth access scopes");
    const ecr = describePullFailure(
      'Failed to pull image "602401143452.dkr.ecr.ap-southeast-1.amazonaws.com/amazon-k8s-cni:v1.5.3": rpc error: code = Unknown desc = Error response from daemon: Get https://602401143452.dkr.ecr.ap-southeast-1.amazonaws.com/v2/amazon-k8s-cni/manifests/v1.5.3: no basic auth credentials',
      { image: "602401143452.dkr.ecr.ap-southeast-1.amazonaws.com/amazon-k8s-cni:v1.5.3" }
    );
    expect(ecr.cause).toContain("node's IAM role");
    expect(describePullFailure(cases.find((c) => c.source === "helm/helm#12189")!.message, { image: "smartsitealfaacr.azurecr.io/aem6.5-authbaseimage:v2", pullSecrets: ["acr-secret"] }).cause).not.toContain("node's own credentials");
  });

  it("names the missing imagePullSecret when the runtime sent no credentials to a private registry (kubernetes/kubernetes#54850, docker/for-mac#3381, distr-sh/distr#1868)", () => {
    // kubernetes/kubernetes#54850: a registry on a private address, the pod without imagePullSecrets; fixed by creating one.
    const k8s = describePullFailure(
      'rpc error: code = 2 desc = Error response _from_ daemon: {"message":"Get http://192.168.31.150:5000/v2/nginx-web/manifests/v3: no basic auth credentials"}',
      { image: "192.168.31.150:5000/nginx-web:v3", pullSecrets: [] }
    );
    expect(k8s).toMatchObject({ kind: "unauthorized", certain: true, registry: "192.168.31.150:5000" });
    expect(k8s.cause).toMatch(/^the pod has no imagePullSecrets, so no credentials were sent to private registry 192\.168\.31\.150:5000 \(no basic auth credentials/);
    // docker/for-mac#3381: a Nexus registry, the Deployment's template without imagePullSecrets.
    const nexus = describePullFailure(
      'Failed to pull image "nexus3.abcde.org:10004/abcde-qwerty-fe:2.2.22": rpc error: code = Unknown desc = Error response from daemon: Get https://nexus3.abcde.org:10004/v2/abcde-qwerty-fe/manifests/2.2.22: no basic auth credentials',
      { image: "nexus3.abcde.org:10004/abcde-qwerty-fe:2.2.22" }
    );
    expect(nexus).toMatchObject({ certain: true, registry: "nexus3.abcde.org:10004" });
    // distr-sh/distr#1868 (containerd's wording): the CronJob's template lacks the imagePullSecrets its Deployment has.
    const distr = describePullFailure(
      'Failed to pull image "registry.distr.sh/enterprise/distr-ee:2.11.2": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials',
      { image: "registry.distr.sh/enterprise/distr-ee:2.11.2", pullSecrets: [] }
    );
    expect(distr).toMatchObject({ kind: "unauthorized", certain: true });
    expect(distr.cause).toContain("no imagePullSecrets");
    // kubernetes/kubernetes#95231: the pod has a pull secret and still sends none: which is wrong is not known.
    const withSecret = describePullFailure(
      'Failed  to pull image "ip:port/repository/ydocker-repo/apps:tag": rpc error: code = Unknown desc = Error response from daemon: Get http://ip:port/v2/repository/docker/app/manifests/1.0: no basic auth credentials',
      { image: "ip:port/repository/ydocker-repo/apps:tag", pullSecrets: ["myregistrykey"] }
    );
    expect(withSecret.certain).toBe(false);
  });

  it("names the pod's imagePullSecrets when the registry refuses them", () => {
    const f = describePullFailure(cases.find((c) => c.source === "helm/helm#12189")!.message, { image: "smartsitealfaacr.azurecr.io/aem6.5-authbaseimage:v2", pullSecrets: ["acr-secret"] });
    expect(f.cause).toContain("the pod uses imagePullSecrets acr-secret");
  });

  it("says it only has the symptom when the message gives no reason", () => {
    const f = describePullFailure("", { image: "nginx" });
    expect(f.kind).toBe("unknown");
    expect(f.certain).toBe(false);
  });

  it("without a reason, names the repository and whether the pod brings credentials (Praqma/ask#4: a private Docker Hub repository, only ImagePullBackOff pasted)", () => {
    const f = describePullFailure("", { image: "praqma/jira:8.1.0", pullSecrets: [] });
    expect(f.certain).toBe(false);
    expect(f.cause).toBe(
      "the kubelet's events do not say why (only the ImagePullBackOff state is known); the pod has no imagePullSecrets, so if repository praqma/jira on docker.io is private the pull is refused without credentials (a wrong repository name or tag looks the same)"
    );
    // With secrets, they are the suspect, not their absence (helm/helm#12189 used acr-secret for an Azure registry).
    const withSecret = describePullFailure("", { image: "smartsitealfaacr.azurecr.io/aem6.5-authbaseimage:v2", pullSecrets: ["acr-secret"] });
    expect(withSecret.cause).toContain("the pod uses imagePullSecrets acr-secret: they may not hold valid credentials for smartsitealfaacr.azurecr.io");
  });

  it("accepts any text and always says something", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 60 }), (message, image) => {
        const f = describePullFailure(message, { image });
        expect(f.cause.length).toBeGreaterThan(0);
        expect(f.registry.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 }
    );
  });
});

describe("describePullFailure: what a refusal or a cut message does not settle", () => {
  it("reads `Error reading manifest <tag>` cut before its reason as a tag that most likely does not exist, at medium (concourse/concourse-chart#30)", () => {
    const f = describePullFailure('Failed to pull image "concourse/concourse:8.4.1": rpc error: code = Unknown desc = Error reading manifest 8.4.1', { image: "concourse/concourse:8.4.1" });
    expect(f.kind).toBe("not-found");
    expect(f.certain).toBe(false);
    expect(f.cause).toContain("tag 8.4.1 of concourse/concourse");
    expect(f.cause).toContain("does not exist");
  });

  it("keeps the certain answer when the reason follows (raffaelespazzoli/credscontroller#10: `…: manifest unknown: manifest unknown`)", () => {
    const f = describePullFailure(
      'Failed to pull image "registry.svc.ci.openshift.org/origin/4.3-2019-10-29-062458@sha256:8184092486c345c2b757f366f146218a115e5d7a92b481cb76257358653ec852": rpc error: code = Unknown desc = Error reading manifest sha256:8184092486c345c2b757f366f146218a115e5d7a92b481cb76257358653ec852 in registry.svc.ci.openshift.org/origin/4.3-2019-10-29-062458: manifest unknown: manifest unknown',
      { image: "registry.svc.ci.openshift.org/origin/4.3-2019-10-29-062458@sha256:8184092486c345c2b757f366f146218a115e5d7a92b481cb76257358653ec852" }
    );
    expect(f.kind).toBe("not-found");
    expect(f.certain).toBe(true);
  });

  it("a bare 403 names both readings, a missing tag or repository and missing credentials, at medium", () => {
    // constructorfabric/insight#1878: the tag 0.1.0 was never pushed; the event as pasted.
    const insight = describePullFailure('Failed to pull image "ghcr.io/constructorfabric/insight-gateway:0.1.0": ... 403 Forbidden', { image: "ghcr.io/constructorfabric/insight-gateway:0.1.0", pullSecrets: [] });
    expect(insight.certain).toBe(false);
    expect(insight.cause).toContain("tag 0.1.0 that does not exist");
    expect(insight.cause).toContain("without valid credentials");
    // k0sproject/k0sctl#981: a misspelt repository (k0sprojects) answered the same way.
    const k0s = describePullFailure("Error: initializing source docker://ghcr.io/k0sprojects/k0sctl:latest: Requesting bearer token: invalid status code from registry 403 (Forbidden)", { image: "ghcr.io/k0sprojects/k0sctl:latest" });
    expect(k0s.certain).toBe(false);
    expect(k0s.kind).toBe("missing-or-private");
  });
});

describe("parseImageRef resolves references the way the runtime does", () => {
  it("defaults to docker.io and latest", () => {
    expect(parseImageRef("centos")).toEqual({ registry: "docker.io", repository: "centos", tag: "latest" });
    expect(parseImageRef("webgrid/api")).toEqual({ registry: "docker.io", repository: "webgrid/api", tag: "latest" });
  });

  it("reads a host with a port, and digests", () => {
    expect(parseImageRef("10.78.0.228:5000/monitorms")).toEqual({ registry: "10.78.0.228:5000", repository: "monitorms", tag: "latest" });
    expect(parseImageRef("quay.io/cilium/operator-generic:v1.11.3@sha256:5b81db7a")).toEqual({ registry: "quay.io", repository: "cilium/operator-generic", tag: "v1.11.3", digest: "sha256:5b81db7a" });
    expect(parseImageRef("localhost:5000/a/b")).toEqual({ registry: "localhost:5000", repository: "a/b", tag: "latest" });
  });

  it("never throws and keeps the repository inside the reference", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (image) => {
        const ref = parseImageRef(image);
        expect(ref.registry.length).toBeGreaterThan(0);
        expect(image.trim()).toContain(ref.repository);
      }),
      { numRuns: 500 }
    );
  });
});
