import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CronJob, Event, Job, Pod } from "../kube/KubeObjects.js";
import { type ContainerLog } from "../investigate/ClusterView.js";
import { hypothesesFor, type Objects } from "../testing/investigateObjects.js";
import { lastWords } from "./analyzeJobs.js";

/*
 * Jobs and CronJobs as public threads pasted them (source above each case). Pasted fields are
 * verbatim; what was not pasted (uids, node, times) is neutral.
 */

const investigate = (objects: Objects, labels: Readonly<Record<string, string>>, at: string, logs: ReadonlyArray<ContainerLog> = []) =>
  // Entities as intake derives them from the labels (job_name, cronjob…).
  hypothesesFor(objects, labels, at, logs, { entitiesFromLabels: true });

const jobOwned = (job: string) => [{ apiVersion: "batch/v1", kind: "Job", name: job, uid: `uid-${job}`, controller: true }];

describe("Jobs: the Job's verdict with what its failed pods said", () => {
  // keptn-contrib/job-executor-service#124: the Job shows "Reason: BackoffLimitExceeded, Message: Job
  // has reached the specified backoff limit"; the init container's log is the only cause given.
  const ns = "keptn";
  const name = "job-executor-service-job-855e19ed-baed-48b3-973e-0e62-1";
  const init = `init-${name}`;
  const job: Job = {
    metadata: { name, namespace: ns, uid: `uid-${name}`, creationTimestamp: "2021-12-17T10:31:00Z" },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", initContainers: [{ name: init, image: "docker.io/keptncontrib/job-executor-service-initcontainer:0.1.5" }], containers: [{ name, image: "docker.io/christiankreuzbergerdtx/jmeter:latest" }] } } },
    status: { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: "2021-12-17T10:32:00Z" }] }
  };
  const pod: Pod = {
    metadata: { name: `${name}-qdswm`, namespace: ns, creationTimestamp: "2021-12-17T10:31:00Z", labels: { "job-name": name }, ownerReferences: jobOwned(name) },
    spec: { restartPolicy: "Never", initContainers: [{ name: init, image: "docker.io/keptncontrib/job-executor-service-initcontainer:0.1.5" }], containers: [{ name, image: "docker.io/christiankreuzbergerdtx/jmeter:latest" }] },
    status: {
      phase: "Failed",
      initContainerStatuses: [{ name: init, ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error", startedAt: "2021-12-17T10:31:00Z", finishedAt: "2021-12-17T10:31:18Z" } } }],
      containerStatuses: [{ name, ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
    }
  };
  const log = "2021/12/17 10:31:18 Error while copying files: could not find file or directory jmeter/basiccheck.jmx for task Run jmeter smoke tests\n";

  it("names the Job's verdict and the init container's own error line", () => {
    const hs = investigate({ jobs: [job], pods: [pod] }, { alertname: "KubeJobFailed", namespace: ns }, "2021-12-17T10:44:00Z", [{ namespace: ns, pod: pod.metadata.name, container: init, current: log }]);
    const top = hs[0];
    expect(top?.title).toContain("BackoffLimitExceeded");
    expect(top?.title).toContain("could not find file or directory jmeter/basiccheck.jmx");
    // A plain error line no signature recognises is the process's own account: medium, not high.
    expect(top?.confidence).toBe("medium");
  });

  it("a failed pod with restartPolicy Never is not called a crash loop", () => {
    const hs = investigate({ jobs: [job], pods: [pod] }, { alertname: "KubeJobFailed", namespace: ns }, "2021-12-17T10:44:00Z", [{ namespace: ns, pod: pod.metadata.name, container: init, current: log }]);
    expect(hs.map((h) => h.title).join("\n")).not.toMatch(/crash-loop|CrashLoopBackOff/i);
  });

  it("without any log or message it says the exit is only the symptom, at medium", () => {
    const hs = investigate({ jobs: [job], pods: [pod] }, { alertname: "KubeJobFailed", namespace: ns }, "2021-12-17T10:44:00Z");
    expect(hs[0]?.title).toContain("nothing read says why");
    expect(hs[0]?.confidence).toBe("medium");
  });

  it("reads the runtime's termination message of a crash-looping init container (kubernetes/kubernetes#77644)", () => {
    // The reporter's Job (init container `command: [/binbash, -c, exit 1]`) and its initContainerStatuses, verbatim.
    const jobName = "pi-with-ttl2";
    const message = 'OCI runtime create failed: container_linux.go:348: starting container process caused "exec: \\"/binbash\\": stat /binbash: no such file or directory": unknown';
    const stuck: Job = { metadata: { name: jobName, namespace: "default", uid: `uid-${jobName}` }, spec: { backoffLimit: 6 }, status: { active: 1, startTime: "2019-05-09T06:58:10Z" } };
    const p: Pod = {
      metadata: { name: "pi-with-ttl2-7xk2p", namespace: "default", ownerReferences: jobOwned(jobName) },
      spec: { restartPolicy: "OnFailure", initContainers: [{ name: "container-1", image: "ubuntu" }], containers: [{ name: "container0", image: "ubuntu:latest" }] },
      status: {
        phase: "Pending",
        initContainerStatuses: [
          { name: "container-1", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff", message: "Back-off 2m40s restarting failed container=container-1 pod=pi-with-ttl2-7xk2p_default(cddfc197)" } }, lastState: { terminated: { exitCode: 127, reason: "ContainerCannotRun", message, startedAt: "2019-05-09T07:00:35Z", finishedAt: "2019-05-09T07:00:35Z" } } }
        ],
        containerStatuses: [{ name: "container0", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
      }
    };
    const hs = investigate({ jobs: [stuck], pods: [p] }, { alertname: "KubeJobNotCompleted", namespace: "default" }, "2019-05-09T07:08:00Z");
    const job = hs.find((h) => h.title.startsWith("Job default/pi-with-ttl2"));
    expect(job?.title).toContain("cannot complete");
    expect(job?.title).toContain("stat /binbash: no such file or directory");
    expect(job?.confidence).toBe("high");
  });

  it("without jobs.json (kubectl cluster-info dump writes none) the job controller's event carries the verdict", () => {
    const verdict: Event = { metadata: { name: `${name}.backoff`, namespace: ns }, involvedObject: { kind: "Job", namespace: ns, name }, reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", type: "Warning", count: 1, lastTimestamp: "2021-12-17T10:32:00Z" };
    const hs = investigate({ pods: [pod], events: [verdict] }, { alertname: "KubeJobFailed", namespace: ns, job_name: name }, "2021-12-17T10:44:00Z", [{ namespace: ns, pod: pod.metadata.name, container: init, current: log }]);
    expect(hs[0]?.title).toContain(`Job ${ns}/${name} failed (BackoffLimitExceeded)`);
    expect(hs[0]?.title).toContain("jmeter/basiccheck.jmx");
  });

  it("DeadlineExceeded without failed pods names the deadline at medium (kubernetes/kubernetes#90551)", () => {
    // The Job status pasted in #90551: reason DeadlineExceeded, "Job was active longer than specified deadline", activeDeadlineSeconds 40.
    const timedOut: Job = {
      metadata: { name: "job-test-deadline", namespace: "default", uid: "uid-deadline" },
      spec: { completions: 1, parallelism: 1, activeDeadlineSeconds: 40 },
      status: { startTime: "2020-04-28T09:32:38Z", conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline", lastTransitionTime: "2020-04-28T09:34:40Z" }] }
    };
    const hs = investigate({ jobs: [timedOut] }, { alertname: "KubeJobFailed", namespace: "default" }, "2020-04-28T09:40:00Z");
    expect(hs[0]?.title).toContain("activeDeadlineSeconds (40s)");
    expect(hs[0]?.confidence).toBe("medium");
  });
});

describe("CronJobs that never start", () => {
  const missedEvent = (ns: string, name: string, message: string, count: number, last: string): Event => ({
    metadata: { name: `${name}.missed`, namespace: ns },
    involvedObject: { kind: "CronJob", namespace: ns, name },
    reason: "FailedNeedsStart",
    message,
    type: "Warning",
    count,
    lastTimestamp: last,
    source: { component: "cronjob-controller" }
  });

  it("too many missed start times without startingDeadlineSeconds (k8snetworkplumbingwg/whereabouts#255)", () => {
    const cron: CronJob = { metadata: { name: "ip-reconciler", namespace: "kube-system" }, spec: { schedule: "*/5 * * * *", concurrencyPolicy: "Forbid", suspend: false } };
    const e = missedEvent("kube-system", "ip-reconciler", "Cannot determine if job needs to be started: too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew", 14839, "2022-07-27T09:57:11Z");
    const hs = investigate({ cronjobs: [cron], events: [e] }, { alertname: "CronJobNotRunning", namespace: "kube-system" }, "2022-07-27T10:00:00Z");
    expect(hs[0]?.title).toContain("too many missed start times");
    expect(hs[0]?.title).toContain("startingDeadlineSeconds is not set");
    expect(hs[0]?.confidence).toBe("high");
  });

  it("the older capitalised wording is the same cause (thoth-station/core#82)", () => {
    const cron: CronJob = { metadata: { name: "package-releases", namespace: "thoth" }, spec: { schedule: "*/5 * * * *" } };
    const e = missedEvent("thoth", "package-releases", "Cannot determine if job needs to be started: Too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew.", 64068, "2018-06-14T10:00:00Z");
    const hs = investigate({ cronjobs: [cron], events: [e] }, { alertname: "CronJobNotRunning", namespace: "thoth" }, "2018-06-14T10:03:00Z");
    expect(hs[0]?.title).toContain("CronJob thoth/package-releases no longer starts Jobs");
  });

  it("a suspended CronJob creates no Jobs", () => {
    const cron: CronJob = { metadata: { name: "backup", namespace: "ops" }, spec: { schedule: "0 * * * *", suspend: true }, status: { lastScheduleTime: "2024-01-01T00:00:00Z" } };
    const hs = investigate({ cronjobs: [cron] }, { alertname: "CronJobNotRunning", namespace: "ops", cronjob: "backup" }, "2024-01-03T00:00:00Z");
    expect(hs[0]?.title).toContain("is suspended");
  });

  it("a suspended CronJob the alert does not name is not blamed in a namespace triage", () => {
    const cron: CronJob = { metadata: { name: "backup", namespace: "ops" }, spec: { schedule: "0 * * * *", suspend: true } };
    const hs = investigate({ cronjobs: [cron] }, { alertname: "SomethingElse", namespace: "ops" }, "2024-01-03T00:00:00Z");
    expect(hs.some((h) => h.title.includes("suspended"))).toBe(false);
  });

  it("Forbid with a run still active: the stuck Job's own failure ranks first (kubernetes/kubernetes#58748)", () => {
    // #58748: a Forbid CronJob whose pod hangs on pulling busybox:unexistingtag. The JobAlreadyActive
    // event text is the cronjob controller's own (pkg/controller/cronjob).
    const cron: CronJob = { metadata: { name: "testjob", namespace: "default", uid: "uid-testjob" }, spec: { schedule: "*/1 * * * *", concurrencyPolicy: "Forbid" }, status: { active: [{ kind: "Job", name: "testjob-1516800000", namespace: "default" }] } };
    const job: Job = { metadata: { name: "testjob-1516800000", namespace: "default", uid: "uid-j", ownerReferences: [{ kind: "CronJob", name: "testjob", uid: "uid-testjob", controller: true }] }, status: { active: 1, startTime: "2018-01-24T13:20:00Z" } };
    const pod: Pod = {
      metadata: { name: "testjob-1516800000-x7k2p", namespace: "default", ownerReferences: jobOwned("testjob-1516800000") },
      spec: { restartPolicy: "Never", containers: [{ name: "testjob", image: "busybox:unexistingtag" }] },
      status: { phase: "Pending", containerStatuses: [{ name: "testjob", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "busybox:unexistingtag"' } } }] }
    };
    const active: Event = { metadata: { name: "testjob.active", namespace: "default" }, involvedObject: { kind: "CronJob", namespace: "default", name: "testjob" }, reason: "JobAlreadyActive", message: "Not starting job because prior execution is running and concurrency policy is Forbid", type: "Normal", count: 30, lastTimestamp: "2018-01-24T13:50:00Z" };
    const hs = investigate({ cronjobs: [cron], jobs: [job], pods: [pod], events: [active] }, { alertname: "CronJobNotRunning", namespace: "default" }, "2018-01-24T13:51:00Z");
    const titles = hs.map((h) => h.title);
    expect(titles.some((t) => t.includes("concurrencyPolicy Forbid") && t.includes("testjob-1516800000"))).toBe(true);
    expect(hs[0]?.title).toContain("busybox:unexistingtag");
  });
});

describe("backup Jobs: the error that stopped the tool, not the last line", () => {
  // SierraSoftworks/minback-postgres#5: `k logs pod/prod-postgres-backup-1602570900-vt29t`, verbatim.
  const ns = "default";
  const name = "prod-postgres-backup-1602570900";
  const job: Job = {
    metadata: { name, namespace: ns, uid: `uid-${name}`, creationTimestamp: "2020-10-13T06:35:00Z" },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: "Never", containers: [{ name: "postgres-backup", image: "minback/postgres" }] } } },
    status: { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: "2020-10-13T06:35:30Z" }] }
  };
  const pod: Pod = {
    metadata: { name: `${name}-vt29t`, namespace: ns, creationTimestamp: "2020-10-13T06:35:00Z", labels: { "job-name": name }, ownerReferences: jobOwned(name) },
    spec: { restartPolicy: "Never", containers: [{ name: "postgres-backup", image: "minback/postgres" }] },
    status: { phase: "Failed", containerStatuses: [{ name: "postgres-backup", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2020-10-13T06:35:25Z" } } }] }
  };
  const log = [
    "Dumping dashboard_db to backups/dashboard_db-2020-10-13_06-35-24.archive",
    "> pg_dump -h postgres-postgresql-ha-pgpool.data.svc.cluster.local -Fc dashboard_db",
    "pg_dump: server version: 11.9; pg_dump version: 10.3",
    "pg_dump: aborting because of server version mismatch",
    "mc: <ERROR> Unable to write to one or more targets. Input reader closed pre-maturely. Expected `-1` bytes, but only received `0` bytes.",
    "Backup failed",
    "mc: <ERROR> Failed to remove `pg/backups/dashboard_db-2020-10-13_06-35-24.archive`. Object does not exist"
  ].join("\n");

  it("names the version mismatch, never the `mc` errors that follow from it", () => {
    const hs = investigate({ jobs: [job], pods: [pod] }, { alertname: "KubeJobFailed", namespace: ns, job_name: name }, "2020-10-13T06:40:00Z", [{ namespace: ns, pod: pod.metadata.name, container: "postgres-backup", current: log }]);
    expect(hs[0]?.title).toContain("pg_dump 10.3 refuses to dump the PostgreSQL 11.9 server (server version mismatch)");
    expect(hs[0]?.confidence).toBe("high");
    expect(hs.some((h) => h.title.includes("Failed to remove"))).toBe(false);
  });
});

describe("CronJobs whose runs are OOMKilled", () => {
  // kubecost/kubecost#13: the checks container `State: Terminated, Reason: OOMKilled, Exit Code: 0`, limits 10m/55M; the run counts as succeeded.
  const ns = "kubecost";
  const container = { name: "cost-analyzer-checks", image: "ajaytripathy/kubecost-checks:prod-1.18.2", args: ["node", "./node/cron.js"], resources: { limits: { cpu: "10m", memory: "55M" }, requests: { cpu: "10m", memory: "55M" } } };
  const cron: CronJob = { metadata: { name: "cost-analyzer-checks", namespace: ns, uid: "uid-cron" }, spec: { schedule: "*/10 * * * *", concurrencyPolicy: "Allow", suspend: false }, status: { lastScheduleTime: "2019-04-30T22:00:00Z" } };
  const jobName = "cost-analyzer-checks-1556661600";
  const job: Job = {
    metadata: { name: jobName, namespace: ns, uid: `uid-${jobName}`, creationTimestamp: "2019-04-30T22:00:03Z", ownerReferences: [{ apiVersion: "batch/v1beta1", kind: "CronJob", name: "cost-analyzer-checks", uid: "uid-cron", controller: true }] },
    spec: { backoffLimit: 6, template: { spec: { restartPolicy: "OnFailure", containers: [container] } } },
    status: { succeeded: 1, completionTime: "2019-04-30T22:01:49Z", conditions: [{ type: "Complete", status: "True", lastTransitionTime: "2019-04-30T22:01:49Z" }] }
  };
  const pod: Pod = {
    metadata: { name: `${jobName}-7kq2p`, namespace: ns, creationTimestamp: "2019-04-30T22:00:03Z", labels: { "job-name": jobName }, ownerReferences: jobOwned(jobName) },
    spec: { restartPolicy: "OnFailure", containers: [container] },
    status: { phase: "Succeeded", containerStatuses: [{ name: "cost-analyzer-checks", ready: false, restartCount: 0, state: { terminated: { reason: "OOMKilled", exitCode: 0, startedAt: "2019-04-30T22:00:21Z", finishedAt: "2019-04-30T22:01:48Z" } } }] }
  };

  it("follows the CronJob to the run the kernel killed, and names the limit", () => {
    const hs = investigate({ cronjobs: [cron], jobs: [job], pods: [pod] }, { alertname: "CronJobOOM", namespace: ns, cronjob: "cost-analyzer-checks" }, "2019-04-30T22:10:00Z");
    expect(hs[0]?.title).toBe(`kubecost/${jobName} is OOMKilled: container cost-analyzer-checks exceeds its 55M memory limit`);
    // The kill at the limit is what OOMKilled means: too low a limit or too much use stays open (medium).
    expect(hs[0]?.confidence).toBe("medium");
    expect(hs[0]?.detail).toContain("its exit code is 0, so the run counts as complete");
  });
});

describe("lastWords: the reason a run-to-completion process prints last", () => {
  it("skips an exit announcement for the error line before it (ministryofjustice/cloud-platform#3255)", () => {
    const log = [
      "2021-10-08 16:21:47,587 ERROR     Unable to connect to Elasticsearch cluster. Error: The client noticed that the server is not a supported distribution of Elasticsearch",
      "2021-10-08 16:21:47,587 CRITICAL  Curator cannot proceed. Exiting."
    ].join("\n");
    expect(lastWords(log)?.text).toBe("Unable to connect to Elasticsearch cluster. Error: The client noticed that the server is not a supported distribution of Elasticsearch");
  });

  it("takes helm's Error: line after an informational one (keptn-contrib/job-executor-service#214)", () => {
    const log = 'Release "helloservice" does not exist. Installing it now.\nError: rendered manifests contain a resource that already exists. Unable to continue with install: Service "helloservice" in namespace "podtato-head-production" exists and cannot be imported into the current release: invalid ownership metadata; annotation validation error: key "meta.helm.sh/release-name" must equal "helloservice": current value is "podtato-head-production-helloservice"';
    expect(lastWords(log)?.text).toMatch(/^Error: rendered manifests contain a resource that already exists/);
  });

  it("reads a JSON line's message and error fields (helm/charts#14579)", () => {
    const line = '{"timestamp":"2019-06-07T00:16:13.825870745Z","level":"error","source":"atc","message":"atc.db.failed-to-open-db-retrying","data":{"error":"dial tcp 10.98.132.40:5432: connect: connection refused","session":"3"}}';
    expect(lastWords(line)?.text).toBe("atc.db.failed-to-open-db-retrying: dial tcp 10.98.132.40:5432: connect: connection refused");
  });

  it("never throws; a blank log has no last words", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 30 }), (lines) => {
        const words = lastWords(lines.join("\n"));
        if (lines.every((l) => l.trim() === "")) expect(words).toBeUndefined();
      })
    );
  });

  it("an exit announcement after an error line never hides the error", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{3,12}$/), fc.constantFrom("Exiting.", "cannot proceed. Exiting.", "Shutting down", "giving up"), (what, bye) => {
        const log = `ERROR cannot open ${what}: permission denied\nFATAL ${bye}`;
        expect(lastWords(log)?.text).toBe(`cannot open ${what}: permission denied`);
      })
    );
  });
});

describe("Jobs whose image lacks the program they run", () => {
  it("a shell command in a distroless image is named as the image having no shell (zebernst/homelab#1094)", () => {
    // The CronJob wraps kubectl in `/bin/sh -ec`; registry.k8s.io/kubectl is distroless. Termination
    // message verbatim; names, times and backoffLimit neutral.
    const ns = "nominatim";
    const name = "nominatim-update-osm-db-29130190";
    const spec = { restartPolicy: "Never", containers: [{ name: "update", image: "registry.k8s.io/kubectl:v1.34.5", command: ["/bin/sh", "-ec"] }] };
    const job: Job = {
      metadata: { name, namespace: ns, uid: `uid-${name}`, creationTimestamp: "2026-05-22T03:10:00Z" },
      spec: { backoffLimit: 0, template: { spec } },
      status: { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastTransitionTime: "2026-05-22T03:10:05Z" }] }
    };
    const pod: Pod = {
      metadata: { name: `${name}-7qz4d`, namespace: ns, creationTimestamp: "2026-05-22T03:10:00Z", labels: { "job-name": name }, ownerReferences: jobOwned(name) },
      spec,
      status: {
        phase: "Failed",
        containerStatuses: [
          { name: "update", ready: false, restartCount: 0, state: { terminated: { exitCode: 128, reason: "StartError", message: 'exec: "/bin/sh": stat /bin/sh: no such file or directory', finishedAt: "2026-05-22T03:10:00Z" } } }
        ]
      }
    };
    const top = investigate({ jobs: [job], pods: [pod] }, { alertname: "KubeJobFailed", namespace: ns, job_name: name }, "2026-05-22T03:20:00Z")[0];
    expect(top?.title).toContain("image registry.k8s.io/kubectl:v1.34.5 has no shell");
    expect(top?.title).toContain("/bin/sh");
  });

  it("a program the process runs that is not in the image (google/oauth2l#115: fork/exec /usr/bin/curl)", () => {
    const ns = "default";
    const name = "oauth2l-curl-26931700";
    const spec = { restartPolicy: "Never", containers: [{ name: "abcd", image: "gcr.io/oauth2l/oauth2l", args: ["curl", "--url", "http://google.com", "--scope", "cloud-platform", "--", "-i"] }] };
    const job: Job = { metadata: { name, namespace: ns, uid: `uid-${name}`, creationTimestamp: "2021-03-16T13:20:00Z" }, spec: { backoffLimit: 6, template: { spec } }, status: { failed: 1 } };
    const pod: Pod = {
      metadata: { name: `${name}-p4m7d`, namespace: ns, creationTimestamp: "2021-03-16T13:20:00Z", labels: { "job-name": name }, ownerReferences: jobOwned(name) },
      spec,
      status: { phase: "Failed", containerStatuses: [{ name: "abcd", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2021-03-16T13:20:02Z" } } }] }
    };
    const top = investigate({ jobs: [job], pods: [pod] }, { alertname: "KubeJobFailed", namespace: ns, job_name: name }, "2021-03-16T13:25:00Z", [
      { namespace: ns, pod: pod.metadata.name, container: "abcd", current: "fork/exec /usr/bin/curl: no such file or directory\n" }
    ])[0];
    expect(top?.title).toContain("/usr/bin/curl, which is not installed in the image");
    expect(top?.confidence).toBe("high");
  });
});
