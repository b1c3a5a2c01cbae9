import { describe, expect, it } from "vitest";
import { innermostCause, scanLog } from "./scanLog.js";

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
