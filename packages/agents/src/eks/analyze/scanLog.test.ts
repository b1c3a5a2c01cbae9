import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dependencyFailureIn, exitReasonText, innermostCause, scanLog, trailingUsage } from "./scanLog.js";

/* The crash a log ends in, read to the part that names the cause. Each log is real (source in the test name). */

describe("scanLog: the crash and its innermost cause", () => {
  it("Spring's `nested exception is` keeps the innermost cause (DickChesterwood/k8s-fleetman#53)", () => {
    const s = scanLog(
      [
        "2024-08-13 03:09:09.432 ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application startup failed",
        "",
        "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'journeySimulator': Injection of autowired dependencies failed; nested exception is java.lang.IllegalArgumentException: Could not resolve placeholder 'fleetman.position.queue' in string value \"${fleetman.position.queue}\"",
        "        at org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor.postProcessPropertyValues(AutowiredAnnotationBeanPostProcessor.java:355) ~[spring-beans-4.3.2.RELEASE.jar!/:4.3.2.RELEASE]"
      ].join("\n")
    );
    expect(s.crash?.rootCause).toBe("java.lang.IllegalArgumentException: Could not resolve placeholder 'fleetman.position.queue' in string value \"${fleetman.position.queue}\"");
    expect(s.signatures[0]?.captures["name"]).toBe("fleetman.position.queue");
  });

  it("a traceback pasted without its header still yields its last line (openedx/enterprise-catalog#726)", () => {
    const s = scanLog(
      [
        "...",
        '  File "/venv/lib/python3.8/site-packages/django/conf/__init__.py", line 82, in _setup',
        "    raise ImproperlyConfigured(",
        "django.core.exceptions.ImproperlyConfigured: Requested settings, but settings are not configured. You must either define the environment variable DJANGO_SETTINGS_MODULE or call settings.configure() before accessing settings."
      ].join("\n")
    );
    expect(s.crash?.headline).toContain("django.core.exceptions.ImproperlyConfigured");
    expect(s.crash?.headline).toContain("DJANGO_SETTINGS_MODULE");
  });

  it("a fatal line that only announces the end takes its cause from the error just before (ministryofjustice/cloud-platform#3255)", () => {
    const s = scanLog(
      "2021-10-08 16:21:47,587 ERROR     Unable to connect to Elasticsearch cluster. Error: The client noticed that the server is not a supported distribution of Elasticsearch\n2021-10-08 16:21:47,587 CRITICAL  Curator cannot proceed. Exiting."
    );
    expect(s.crash?.headline).toContain("Curator cannot proceed");
    expect(s.crash?.rootCause).toContain("not a supported distribution of Elasticsearch");
  });

  it("a .NET inner exception after ` ---> ` is the cause (ChuckHearthstone/SilverFish#1)", () => {
    expect(innermostCause("Exception has been thrown by the target of an invocation. ---> System.IO.FileNotFoundException: Could not find file .\\Routines\\DefaultRoutine\\Silverfish\\Data\\special_card_name.txt'.")).toBe(
      "System.IO.FileNotFoundException: Could not find file .\\Routines\\DefaultRoutine\\Silverfish\\Data\\special_card_name.txt'."
    );
  });

  it("a Go panic is the crash, its message the headline (devtron-labs/devtron#627)", () => {
    const s = scanLog(
      'time="2021-08-04T07:23:00Z" level=info msg="Starting kubewatch controller" pkg=kubewatch-event\n2021/08/04 07:23:00 errstan: clientID already registered\npanic: errstan: clientID already registered\n\ngoroutine 1 [running]:\nlog.Panic(0xc0004e38a0, 0x2, 0x2)'
    );
    expect(s.crash?.headline).toBe("panic: errstan: clientID already registered");
    expect(s.signatures.map((m) => m.id)).toContain("nats.client-id-registered");
  });

  it("the error field of a JSON line is read for dependencies (helm/charts#14579)", () => {
    const s = scanLog('{"timestamp":"2019-06-07T00:16:07.809906268Z","level":"error","source":"atc","message":"atc.db.failed-to-open-db-retrying","data":{"error":"dial tcp 10.98.132.40:5432: connect: connection refused","session":"3"}}');
    expect(s.dependencies[0]).toMatchObject({ host: "10.98.132.40", port: 5432, kind: "refused" });
    expect(s.errors[0]?.count).toBe(1);
  });

  it("the last lines and how far a signature is from the end (sixeyed/kiamol#72)", () => {
    const s = scanLog(
      'Data page checksums are disabled.\n\ninitdb: directory "/var/lib/postgresql/data" exists but is not empty\nIt contains a lost+found directory, perhaps due to it being a mount point.\nUsing a mount point directly as the data directory is not recommended.\nCreate a subdirectory under the mount point.'
    );
    expect(s.signatures[0]?.id).toBe("postgresql.initdb-lost-found");
    expect(s.signatures[0]?.fromEnd).toBe(3);
    expect(s.lastLines.at(-1)).toBe("Create a subdirectory under the mount point.");
  });
});

describe("scanLog: the error lines that explain the exit", () => {
  // Without the catalog: the reason must come from the log's own error lines, whatever software wrote them.
  const bare = { catalog: [] };

  it("the first error of the last run, not the consequences after it (SierraSoftworks/minback-postgres#5)", () => {
    const s = scanLog(
      [
        "Dumping dashboard_db to backups/dashboard_db-2020-10-13_06-35-24.archive",
        "> pg_dump -h postgres-postgresql-ha-pgpool.data.svc.cluster.local -Fc dashboard_db",
        "pg_dump: server version: 11.9; pg_dump version: 10.3",
        "pg_dump: aborting because of server version mismatch",
        "mc: <ERROR> Unable to write to one or more targets. Input reader closed pre-maturely. Expected `-1` bytes, but only received `0` bytes.",
        "Backup failed",
        "mc: <ERROR> Failed to remove `pg/backups/dashboard_db-2020-10-13_06-35-24.archive`. Object does not exist"
      ].join("\n"),
      bare
    );
    expect(s.exitReason?.line).toBe("pg_dump: aborting because of server version mismatch");
    expect(s.exitReason?.after).toHaveLength(3);
    expect(s.exitReason?.fromEnd).toBe(0);
  });

  it("the same program's next error lines are its details (zalando/postgres-operator#1678)", () => {
    const s = scanLog(
      "pg_dumpall: error: aborting because of server version mismatch\npg_dumpall: error: server version: 14.0 (Ubuntu 14.0-1.pgdg18.04+1); pg_dumpall version: 13.4 (Ubuntu 13.4-4.pgdg18.04+1)",
      bare
    );
    expect(exitReasonText(s.exitReason!)).toBe("pg_dumpall: error: aborting because of server version mismatch; server version: 14.0 (Ubuntu 14.0-1.pgdg18.04+1); pg_dumpall version: 13.4 (Ubuntu 13.4-4.pgdg18.04+1)");
  });

  it("a logfmt error line, its wrapped YAML error included (grafana/loki#420)", () => {
    const s = scanLog('level=error ts=2019-03-26T01:02:55.11721353Z caller=main.go:35 msg="error loading config" filename=/etc/promtail/promtail.yaml err="yaml: unmarshal errors:\\n  line 1: field backoff_config not found in type config.Config"', bare);
    expect(s.exitReason?.line).toBe("error loading config: yaml: unmarshal errors: line 1: field backoff_config not found in type config.Config");
  });

  it("skips the line that only announces the exit (ministryofjustice/cloud-platform#3255)", () => {
    const s = scanLog(
      "2021-10-08 16:21:47,587 ERROR     Unable to connect to Elasticsearch cluster. Error: The client noticed that the server is not a supported distribution of Elasticsearch\n2021-10-08 16:21:47,587 CRITICAL  Curator cannot proceed. Exiting.",
      bare
    );
    expect(s.exitReason?.line).toContain("not a supported distribution of Elasticsearch");
  });

  it("an informational line does not start the run (keptn-contrib/job-executor-service#214)", () => {
    const s = scanLog('Release "helloservice" does not exist. Installing it now.\nError: rendered manifests contain a resource that already exists. Unable to continue with install: Service "helloservice" in namespace "podtato-head-production" exists and cannot be imported into the current release', bare);
    expect(s.exitReason?.line).toMatch(/^Error: rendered manifests contain a resource that already exists/);
  });

  it("a clean log has none (sockudo/sockudo#273)", () => {
    expect(scanLog("INFO Server init sequence completed.\nINFO Metrics server listening on http://0.0.0.0:9601\nINFO HTTP server listening on http://0.0.0.0:6001").exitReason).toBeUndefined();
  });

  it("the reason is always a line of the log, and never one that only announces the exit when an error precedes it", () => {
    const line = fc.oneof(fc.stringMatching(/^[a-z ]{0,30}$/), fc.constantFrom("ERROR cannot open /data: permission denied", "FATAL Exiting.", "INFO started", "Backup failed", "mc: <ERROR> Unable to write"));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const s = scanLog(lines.join("\n"), bare);
        if (s.exitReason === undefined) return;
        expect(lines.some((l) => l.includes(s.exitReason!.line.replace(/^(?:ERROR|FATAL|INFO) /, "")))).toBe(true);
        const i = lines.lastIndexOf("FATAL Exiting.");
        if (i > 0 && lines[i - 1] === "ERROR cannot open /data: permission denied" && lines.slice(i + 1).every((l) => !/ERROR|FATAL|failed|cannot/i.test(l))) expect(s.exitReason.line).not.toBe("Exiting.");
      }),
      { numRuns: 300 }
    );
  });
});

describe("scanLog: crashes in other shapes", () => {
  it("Ruby's `message (ArgumentError)` above its `from` frame (AlverezYari/phillips-homelab#285)", () => {
    const s = scanLog("Missing `secret_key_base` for 'prod_k8s' environment (ArgumentError)\n  from /app/app/models/app_token.rb:2  (loaded during run_initializers)");
    expect(s.crash?.headline).toBe("ArgumentError: Missing `secret_key_base` for 'prod_k8s' environment");
  });

  it("the same line as a log's last words, without frames (rubber/rubber#533, unicorn)", () => {
    const s = scanLog("app error: Missing `secret_key_base` for 'production' environment, set this value in `config/secrets.yml` (RuntimeError)");
    expect(s.crash?.headline).toBe("RuntimeError: app error: Missing `secret_key_base` for 'production' environment, set this value in `config/secrets.yml`");
  });
});

describe("scanLog: nginx upstreams that do not resolve", () => {
  it.each([
    ['nginx: [emerg] host not found in upstream "example-pulp-content-svc:24816" in /etc/opt/rh/rh-nginx116/nginx/nginx.conf:21', "pulp/pulp-operator#603", "example-pulp-content-svc", 24816],
    ['[emerg] 1#1: host not found in upstream "kibana" in /etc/nginx/conf.d/default.conf:15', "wazuh/wazuh-kubernetes#99", "kibana", undefined],
    ['2023/04/04 17:21:20 [emerg] 1#1: host not found in upstream "loginservice" in /etc/nginx/nginx.conf:17', "Dynatrace/easytrade#5", "loginservice", undefined]
  ])("%s (%s)", (line, _source, host, port) => {
    const s = scanLog(line);
    expect(s.dependencies[0]).toMatchObject({ host, kind: "dns-nxdomain", ...(port !== undefined ? { port } : {}) });
    expect(dependencyFailureIn(line)?.host).toBe(host);
  });
});

describe("scanLog: Erlang/Elixir database clients (DBConnection)", () => {
  it.each([
    ["16:07:22.958 [error] Postgrex.Protocol (#PID<0.1854.0>) failed to connect: ** (DBConnection.ConnectionError) tcp connect (ffs-postgres:5432): non-existing domain - :nxdomain", "open-telemetry/opentelemetry-helm-charts#335", "ffs-postgres", 5432, "dns-nxdomain"],
    ["web_1  | [error] Postgrex.Protocol (#PID<0.367.0>) failed to connect: ** (DBConnection.ConnectionError) tcp connect (localhost:5432): connection refused - :econnrefused", "a Phoenix on docker-compose tutorial", "localhost", 5432, "refused"],
    ["  Warning  Failed Add  24s   kompost  tcp connect (postgres.svc:5432): connection refused - :econnrefused", "kompost's docs (an event)", "postgres.svc", 5432, "refused"]
  ])("%s (%s)", (line, _source, host, port, kind) => {
    expect(scanLog(line).dependencies[0]).toMatchObject({ host, port, kind });
  });

  it("an atom it does not know is no dependency failure", () => {
    expect(scanLog("tcp connect (db:5432): something - :closed").dependencies).toEqual([]);
  });
});

describe("scanLog: nslookup's failures, as init containers waiting for a Service print them", () => {
  it.each([
    ["nslookup: can't resolve 'firmament-service.kube-system'", "kubernetes-retired/poseidon#125", "firmament-service.kube-system", "dns-nxdomain"],
    ["nslookup: can't resolve 'kubernetes.default'", "kubernetes/kubernetes#44314", "kubernetes.default", "dns-nxdomain"],
    ["** server can't find kubernetes.default.svc.cluster.local: NXDOMAIN", "sandervanvugt/cka#2", "kubernetes.default.svc.cluster.local", "dns-nxdomain"]
  ])("%s (%s)", (line, _source, host, kind) => {
    expect(scanLog(line).dependencies[0]).toMatchObject({ host, kind });
  });
});

describe("trailingUsage: the help a flag parser prints after its error", () => {
  it("finds Go's `Usage of …:` block after the error (opensandbox-group/OpenSandbox#855, pasted with its `...`)", () => {
    const lines = ["flag provided but not defined: -kube-client-qps", "Usage of /workspace/server:", "  -enable-file-log", "        Enable log output to file", "  -enable-http2", "        If set, HTTP/2 will be enabled for the metrics and webhook servers", "  ..."];
    expect(trailingUsage(lines)).toBe(1);
    const s = scanLog(lines.join("\n"));
    expect(s.signatures[0]?.id).toBe("go.flag-not-defined");
    expect(s.signatures[0]?.fromEnd).toBe(0);
  });

  it("finds nothing in a log that goes on after a usage-like line, or that is only help", () => {
    expect(trailingUsage(["Usage of /manager:", "  -v value"])).toBeUndefined();
    expect(trailingUsage(["error: x", "Usage:", "  cmd [flags]", "starting server on :8080"])).toBeUndefined();
    expect(trailingUsage(["level=info msg=started", "level=error msg=failed"])).toBeUndefined();
  });

  it("is bounded and never throws (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 300 }), (lines) => {
        const at = trailingUsage(lines);
        expect(at === undefined || (at > 0 && at < lines.length)).toBe(true);
      })
    );
  });
});
