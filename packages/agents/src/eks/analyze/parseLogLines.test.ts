import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineTime, parseLogLine, parseLogLines } from "./parseLogLines.js";

const at = (iso: string) => Date.parse(iso);

describe("parseLogLine: time stamps as real servers print them", () => {
  const cases: ReadonlyArray<readonly [string, string, string, number?]> = [
    // [source, line, expected time (UTC), reference for year-less layouts]
    ["helm/charts#14579 (Concourse, lager JSON)", '{"timestamp":"2019-06-07T00:16:06.791608566Z","level":"info","source":"atc","message":"atc.cmd.start","data":{"session":"1"}}', "2019-06-07T00:16:06.791Z"],
    ["goauthentik/authentik#7643 (Redis)", "1:M 21 Nov 2023 01:37:29.411 # Bad file format reading the append only file", "2023-11-21T01:37:29.411Z"],
    ["grafana/mimir#1669 (nginx error log)", '2022/04/10 07:38:01 [emerg] 1#1: host not found in resolver "kube-dns.kube-system.svc.cluster.local" in /etc/nginx/nginx.conf:25', "2022-04-10T07:38:01.000Z"],
    ["openshift-istio/origin#4 (Elasticsearch, Log4j)", "[2018-04-19T06:46:07,019][INFO ][o.e.n.Node               ] [elasticsearch-0] stopping ...", "2018-04-19T06:46:07.019Z"],
    ["ministryofjustice/cloud-platform#3255 (Python logging)", "2021-10-08 16:21:47,587 ERROR     Unable to connect to Elasticsearch cluster.", "2021-10-08T16:21:47.587Z"],
    ["DickChesterwood/k8s-fleetman#53 (Spring Boot)", "2024-08-13 03:09:09.432 ERROR 1 --- [           main] o.s.boot.SpringApplication               : Application startup failed", "2024-08-13T03:09:09.432Z"],
    ["kube-rbac-proxy/kube-rbac-proxy#16 (klog)", "I0925 11:08:52.535386       1 main.go:166] Generating self signed cert as no cert is provided", "2018-09-25T11:08:52.535Z", at("2018-09-26T00:00:00Z")],
    ["nettings/medianet#5 (syslog)", "May 12 18:30:06 mn-VP200A-R systemd-tmpfiles[4348]: unlink(/var/cache/man/fr/index.db): Read-only file system", "2020-05-12T18:30:06.000Z", at("2020-06-01T00:00:00Z")],
    ["devtron-labs/devtron#627 (logrus logfmt)", 'time="2021-08-04T07:23:00Z" level=info msg="Starting kubewatch controller" pkg=kubewatch-event', "2021-08-04T07:23:00.000Z"],
    ["coredns/coredns#2795 (CoreDNS)", "2019-04-17T00:18:44.485Z [INFO] plugin/reload: Running configuration MD5 = fe280f2b52a55a24ba57f2b4328c2777", "2019-04-17T00:18:44.485Z"]
  ];
  for (const [source, line, expected, reference] of cases) {
    it(source, () => {
      expect(lineTime(line, reference !== undefined ? { reference } : {})).toBe(at(expected));
    });
  }

  it("a year-less date after the reference belongs to the year before", () => {
    expect(lineTime("E1231 23:59:00.000000 1 x.go:1] boom", { reference: at("2026-01-01T00:10:00Z") })).toBe(at("2025-12-31T23:59:00Z"));
  });

  it("a date inside a message is not the line's time", () => {
    expect(lineTime("backup of 2024-01-01 10:00:00 failed")).toBeUndefined();
  });
});

describe("parseLogLine: structured lines", () => {
  it("JSON: the message and the nested error field, with the level (helm/charts#14579)", () => {
    const [e] = parseLogLine('{"timestamp":"2019-06-07T00:16:07.809906268Z","level":"error","source":"atc","message":"atc.db.failed-to-open-db-retrying","data":{"error":"dial tcp 10.98.132.40:5432: connect: connection refused","session":"3"}}');
    expect(e?.level).toBe("error");
    expect(e?.text).toBe("atc.db.failed-to-open-db-retrying: dial tcp 10.98.132.40:5432: connect: connection refused");
  });

  it("JSON: `severity` and a space-separated time (GoogleCloudPlatform/anthos-service-mesh-samples#40)", () => {
    const [e] = parseLogLine('{"timestamp": "2022-01-10 22:44:52", "message": "reportFailure | Application run failed", "severity": "ERROR"}');
    expect(e?.level).toBe("error");
    expect(e?.time).toBe(at("2022-01-10T22:44:52Z"));
    expect(e?.text).toBe("reportFailure | Application run failed");
  });

  it("JSON: an `error` field with escaped quotes is unescaped (fluxcd/helm-controller#231)", () => {
    const [e] = parseLogLine(
      '{"level":"error","ts":"2021-03-12T08:44:44.246Z","logger":"controller.helmrelease","msg":"Reconciler error","error":"Helm install failed: rendered manifests contain a resource that already exists. Unable to continue with install: ServiceAccount \\"strimzi-cluster-operator\\" in namespace \\"strimzi\\" exists"}'
    );
    expect(e?.text).toContain('Reconciler error: Helm install failed: rendered manifests contain a resource that already exists. Unable to continue with install: ServiceAccount "strimzi-cluster-operator"');
    expect(e?.time).toBe(at("2021-03-12T08:44:44.246Z"));
  });

  it("logfmt: level and msg (devtron-labs/devtron#627)", () => {
    const [e] = parseLogLine('time="2021-08-04T07:23:00Z" level=info msg="Starting kubewatch controller" pkg=kubewatch-event');
    expect(e?.level).toBe("info");
    expect(e?.text).toBe("Starting kubewatch controller");
  });

  it("logfmt: the error of a fatal line (podman-desktop/extension-bootc#215)", () => {
    const [e] = parseLogLine('time="2024-03-21T11:51:03Z" level=fatal msg="writing blob: storing blob to file \\"/var/tmp/container_images_storage3568874487/41\\": write /var/tmp/container_images_storage3568874487/41: no space left on device"');
    expect(e?.level).toBe("fatal");
    expect(e?.text).toContain("write /var/tmp/container_images_storage3568874487/41: no space left on device");
  });

  it("a stack trace in a JSON field continues as lines of its own", () => {
    const entries = parseLogLine(JSON.stringify({ level: "error", msg: "boom", stack_trace: "java.lang.IllegalStateException: x\n\tat a.b.C.d(C.java:1)\nCaused by: java.io.IOException: y" }));
    expect(entries.map((e) => e.text)).toEqual(["boom: java.lang.IllegalStateException: x", "\tat a.b.C.d(C.java:1)", "Caused by: java.io.IOException: y"]);
  });

  it("plain lines keep their indentation (stack frames) and levels in brackets, words and klog letters", () => {
    const entries = parseLogLines("2018/09/06 13:02:45 [FATAL] plugin/loop: loop detected\n  File \"/code/run.py\", line 18, in <module>\nE0925 11:08:52.535386 1 x.go:1] failed\n1:M 05 Sep 2020 21:43:13.492 # Can't open the append-only file: Read-only file system");
    expect(entries.map((e) => e.level)).toEqual(["fatal", undefined, "error", "warn"]);
    expect(entries[1]?.text).toBe('  File "/code/run.py", line 18, in <module>');
  });
});

describe("parseLogLines: one error wrapped over indented lines", () => {
  it("klog: the caller is not the message, and the wrapped cause joins it (devantler-tech/ksail#4343)", () => {
    const [e, ...rest] = parseLogLines("F0424 21:30:21.070421  1 main.go:67] Cloud provider could not be initialized:\n  hcloud/newCloud: Network default not found", { reference: at("2026-04-25T00:00:00Z") });
    expect(rest).toEqual([]);
    expect(e?.level).toBe("fatal");
    expect(e?.text).toBe("Cloud provider could not be initialized: hcloud/newCloud: Network default not found");
    expect(e?.time).toBe(at("2026-04-24T21:30:21.070Z"));
  });

  it("logfmt: an `err` whose YAML errors go on after `\\n` is one message (grafana/loki#420)", () => {
    const entries = parseLogLines('level=error ts=2019-03-26T01:02:55.11721353Z caller=main.go:35 msg="error loading config" filename=/etc/promtail/promtail.yaml err="yaml: unmarshal errors:\\n  line 1: field backoff_config not found in type config.Config"');
    expect(entries.map((e) => e.text)).toEqual(["error loading config: yaml: unmarshal errors: line 1: field backoff_config not found in type config.Config"]);
    expect(entries[0]?.level).toBe("error");
  });

  it("a plain ERROR line and its indented continuation (jaksi/sshesame#71)", () => {
    const entries = parseLogLines("ERROR 2021/08/16 15:45:43 Failed to get config: yaml: unmarshal errors:\n  line 9: field debug not found in type main.loggingConfig");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.text).toContain("yaml: unmarshal errors: line 9: field debug not found in type main.loggingConfig");
  });

  it("the stack trace after the wrapped error is not part of it (overlock-network/overlock#316)", () => {
    const entries = parseLogLines(
      [
        "ERROR   Failed to load or parse configuration file ./overlock.yaml: yaml: unmarshal errors:",
        "  line 2: cannot unmarshal !!map into []string",
        "github.com/web-seven/overlock/cmd/overlock/environment.(*createCmd).Run",
        "        /github/workspace/cmd/overlock/environment/create.go:46"
      ].join("\n")
    );
    expect(entries[0]?.text).toMatch(/Failed to load or parse configuration file \.\/overlock\.yaml: yaml: unmarshal errors: line 2: cannot unmarshal !!map into \[\]string$/);
    expect(entries.map((e) => e.text.trim()).slice(1)).toEqual(["github.com/web-seven/overlock/cmd/overlock/environment.(*createCmd).Run", "/github/workspace/cmd/overlock/environment/create.go:46"]);
  });
});

describe("parseLogLines: properties", () => {
  // Epoch seconds have ten digits from September 2001 on; earlier logs print no epoch anyway.
  const date = fc.date({ min: new Date("2002-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const layouts: ReadonlyArray<(d: Date) => string> = [
    (d) => d.toISOString(),
    (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},000`,
    (d) => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    (d) => `1:M ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()] ?? ""} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000 #`,
    (d) => d.toUTCString(),
    (d) => `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()] ?? ""}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000`,
    (d) => `${Math.floor(d.getTime() / 1000)}.5 `,
    (d) => JSON.stringify({ ts: d.getTime() / 1000, level: "info", msg: "x" }),
    (d) => JSON.stringify({ time: d.getTime(), level: 30, msg: "x" })
  ];

  it("every layout gives back the time it printed", () => {
    fc.assert(
      fc.property(date, fc.nat({ max: layouts.length - 1 }), (d, i) => {
        const line = `${layouts[i]!(d)} something happened`;
        const t = lineTime(line.startsWith("{") ? layouts[i]!(d) : line);
        expect(Math.abs((t ?? Number.NaN) - d.getTime())).toBeLessThan(1000);
      }),
      { numRuns: 400 }
    );
  });

  it("year-less layouts (klog, syslog) land within a year before the reference", () => {
    fc.assert(
      fc.property(date, (d) => {
        const reference = d.getTime() + 3_600_000;
        const klog = `I${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.000000 1 a.go:1] x`;
        const syslog = `${MONTHS[d.getUTCMonth()] ?? ""} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} host app[1]: x`;
        for (const line of [klog, syslog]) {
          const t = lineTime(line, { reference });
          // Feb 29 of a leap year is the one date another year may not hold.
          if (!(d.getUTCMonth() === 1 && d.getUTCDate() === 29)) expect(t).toBe(d.getTime());
        }
      }),
      { numRuns: 300 }
    );
  });

  it("accepts any text: every non-empty line is in an entry, never a throw", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.json({ maxDepth: 3 }), fc.constantFrom('level=error msg="x" err="y"', "{", '{"log":"{\\"log\\":\\"x\\"}"}', "E0101 00:00:00.000000 1 a.go:1] failed:", "  wrapped cause", "\tat a.B.c(B.java:1)")), { maxLength: 20 }),
        (lines) => {
          const text = lines.join("\n");
          const entries = parseLogLines(text);
          const raws = entries.map((e) => e.raw).join("\n");
          for (const line of text.split("\n").filter((l) => l.trim() !== "")) expect(raws).toContain(line.replace(/\r$/, ""));
          for (const e of entries) expect(typeof e.text).toBe("string");
        }
      ),
      { numRuns: 500 }
    );
  });

  it("only an error ending in `:` takes indented lines, at most five, and never a stack frame", () => {
    fc.assert(
      // A line that starts like a frame ("  at x", "  from x") is a frame (STACK_FRAME), so the prose lines never do.
      fc.property(fc.array(fc.oneof(fc.stringMatching(/^ {2}[a-z][a-z ]{0,20}$/).filter((l) => !/^ {2}(?:at |from )/.test(l)), fc.constantFrom("\tat a.B.c(B.java:1)", '  File "/x.py", line 1, in f')), { maxLength: 8 }), (continuation) => {
        const entries = parseLogLines(["E0101 00:00:00.000000 1 a.go:1] failed:", ...continuation].join("\n"), { reference: at("2026-01-02T00:00:00Z") });
        const frame = continuation.findIndex((l) => !/^ {2}[a-z]/.test(l));
        const joinable = Math.min(frame < 0 ? continuation.length : frame, 5);
        expect(entries).toHaveLength(1 + continuation.length - joinable);
        expect(entries[0]?.text.startsWith("failed:")).toBe(true);
      }),
      { numRuns: 300 }
    );
  });
});
