import { Effect } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderReport } from "../render/renderReport.js";
import { sampleReport } from "../testing/samples.js";
import { makeScriptedModel } from "../testing/memory/ScriptedModel.js";
import { plantedSecretArbitrary } from "../testing/plantedSecrets.js";
import { redactingModel } from "./redactingModel.js";
import { REDACTED, redactDeep, redactSecrets } from "./redactSecrets.js";

const around = fc.constantFrom("", " ", "\n", "ERROR connect failed ", "config: ", '{"k":"', " (retrying)", ". ");

describe("redactSecrets", () => {
  it("redacts every planted secret, wherever it sits in a line (property)", () => {
    fc.assert(
      fc.property(around, plantedSecretArbitrary, around, (before, secret, after) => {
        const out = redactSecrets(`${before}${secret.text}${after}`);
        for (const core of secret.cores) expect(out).not.toContain(core);
        expect(out).toContain(REDACTED);
      }),
      { numRuns: 2000 }
    );
  });

  it.each([
    // sous-chefs/percona issue #48 (ps output)
    ["mysql -u root --password='very naked password' my_db -e \"select 1\"", `mysql -u root --password='${REDACTED}' my_db -e "select 1"`],
    // MySQLTuner-perl issue #289 (ps output)
    ['sh -c /usr/bin/mysql -u da_admin -psecret -Bse "SELECT ENGINE"', `sh -c /usr/bin/mysql -u da_admin -p${REDACTED} -Bse "SELECT ENGINE"`],
    // sysbench issue #387 (top output)
    ["sysbench --mysql-user=root --mysql_password=DonuAgj8McIQZXHVLrg6TcyUOxqvV3u2C --mysql-host=localhost", `sysbench --mysql-user=root --mysql_password=${REDACTED} --mysql-host=localhost`],
    // redis issue #8956
    ["src/redis-cli --pass 123456", `src/redis-cli --pass ${REDACTED}`],
    // redis-rs issue #408, SncRedisBundle issue #703
    ["redis://:mypassword@127.0.0.1:6379/0", `redis://:${REDACTED}@127.0.0.1:6379/0`],
    ["rediss://password@domain:20339", `rediss://${REDACTED}@domain:20339`],
    // The Azurite development key, as Azure's docs print it
    [
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${REDACTED};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`
    ],
    // noseyparker rules sendgrid.yml example
    ["'SENDGRID_API_KEYSID': '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'", `'SENDGRID_API_KEYSID': '${REDACTED}'`],
    // gitleaks rules/slack.go and rules/stripe.go test positives
    ['"token1": "xapp-1-A052FGTS2DL-5171572773297-610b6a11f4b7eb819e87b767d80e6575a3634791acb9a9ead051da879eb5b55e"', `"token1": "${REDACTED}"`],
    ["sk_test_51OuEMLAlTWGaDypq4P5cuDHbuKeG4tAGPYHJpEXQ7zE8mKK3jkhTFPvCxnSSK5zB5EQZrJsYdsatNmAHGgb0vSKD00GTMSWRHs", REDACTED],
    // keyshade npm rule test case (legacy .npmrc token)
    ["//registry.npmjs.org/:_authToken=743b294a-cd03-11ec-9d64-0242ac120002", `//registry.npmjs.org/:_authToken=${REDACTED}`],
    ["export PGPASSWORD=mypass; psql -h db", `export PGPASSWORD=${REDACTED}; psql -h db`],
    ['MYSQL_PWD=hunter2 DB_PASS="correct horse battery"', `MYSQL_PWD=${REDACTED} DB_PASS="${REDACTED}"`],
    // Quotes are kept, so a redacted JSON log line still parses.
    ['{"user":"app","password":"correct horse battery"}', `{"user":"app","password":"${REDACTED}"}`]
  ])("redacts a real line: %s", (line, expected) => {
    expect(redactSecrets(line)).toBe(expected);
  });

  it("keeps ordinary operational text as it is", () => {
    for (const line of [
      "payments/api cannot reach 172.20.91.7:5432 (connection refused)",
      "kubectl -n payments rollout undo deployment/api",
      "PANIC: could not write to file \"pg_wal/xlogtemp.27\": No space left on device",
      "https://grafana.example.com/d/payments?orgId=1&from=now-1h",
      "image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.4.0",
      // Lines that look close to a credential but are not one.
      "restic -r s3:s3.amazonaws.com/backups --password-file /etc/restic/password backup /srv",
      "docker build --secret id=npmrc,src=/home/ci/.npmrc -t payments-api .",
      "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password",
      "echo \"$PW\" | docker login --username ci --password-stdin registry.example.com",
      "pq: token authentication failed for user \"app\"",
      'FATAL:  password authentication failed for user "app"',
      "PASSWORD_MIN_LENGTH=12",
      "MAX_TOKENS=4096 input_tokens: 812",
      // The mysql client's and redis-cli's own warnings (wp-cli PR #369, redis issue #8956).
      "mysql: [Warning] Using a password on the command line interface can be insecure.",
      "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.",
      // -p without a glued value prompts (the next word is the database); -P is the port; -p elsewhere is not a password.
      "mysql -h db.internal -P 3306 -u app -p payments",
      "mkdir -p /var/lib/mysql && ssh -p 2222 deploy@bastion && docker run -p 8080:80 nginx",
      // A kubelet event (netbox-chart issue #256) and its shape with a volume named after a password.
      'MountVolume.SetUp failed for volume "secrets" : secret "abc-netbox-superuser" not found',
      'MountVolume.SetUp failed for volume "db-password" : secret "db-password" not found',
      "redis://redis.payments.svc:6379/0 and ssh://git@github.com/acme/payments.git",
      "npm_config_cache=/home/node/.npm npm_lifecycle_event=build",
      "PWD=/srv/payments OLDPWD=/srv",
      "publishable key pk_live_51OuEMLAlTWGaDypq4P5cuDHbu in the checkout page",
      "AccountName=paymentsprod;EndpointSuffix=core.windows.net",
      "Set PGPASSWORD or use a .pgpass file"
    ]) {
      expect(redactSecrets(line)).toBe(line);
    }
  });

  it("is idempotent: redacting redacted text changes nothing (stores redact again on read)", () => {
    fc.assert(
      fc.property(around, plantedSecretArbitrary, around, (before, secret, after) => {
        const once = redactSecrets(`${before}${secret.text}${after}`);
        expect(redactSecrets(once)).toBe(once);
      }),
      { numRuns: 1000 }
    );
  });

  it("stays fast on long near-misses (no pattern backtracks badly)", () => {
    for (const s of [
      `${"PGPASSWORD_".repeat(5000)}`,
      `mysql ${"-u ".repeat(20000)}`,
      `redis://${":".repeat(5000)}${"a".repeat(20000)}`,
      `${"--pass-".repeat(5000)} x`,
      `password${" ".repeat(5000)}: "${"a ".repeat(5000)}`
    ]) {
      expect(typeof redactSecrets(s)).toBe("string");
    }
  });

  it("never throws and never grows without bound on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        const out = redactSecrets(s);
        expect(typeof out).toBe("string");
        expect(out.length).toBeLessThanOrEqual(s.length + 64 * (s.length / 3 + 1));
      })
    );
  });

  it("applies configured extra patterns", () => {
    expect(redactSecrets("customer card 4111-1111-1111-1111 declined", { extra: [/\b(?:\d{4}-){3}\d{4}\b/] })).toBe(`customer card ${REDACTED} declined`);
  });

  it("a planted secret in a finding never reaches any rendered dialect", () => {
    fc.assert(
      fc.property(plantedSecretArbitrary, (secret) => {
        const agent = sampleReport.agents[0]!;
        const report = redactDeep({
          ...sampleReport,
          agents: [{ ...agent, findings: [...agent.findings, { ...agent.findings[0]!, id: `${agent.agent}:99`, content: `log line: ${secret.text}` }] }]
        });
        for (const dialect of ["slack", "discord", "markdown", "json"] as const) {
          const out = renderReport(report, dialect)
            .map((m) => m.text + JSON.stringify(m.blocks ?? []))
            .join("\n");
          for (const core of secret.cores) expect(out).not.toContain(core);
        }
      }),
      { numRuns: 200 }
    );
  });

  it("redacts prompts before they reach a model", async () => {
    const scripted = makeScriptedModel();
    scripted.script([{ content: [{ type: "text", text: "ok" }], stopReason: "end_turn", usage: { inputTokens: 1, outputTokens: 1 } }]);
    const model = redactingModel(scripted.model);
    await Effect.runPromise(
      model.converse({
        callSite: "synthesis",
        system: "token=abc123456789",
        messages: [{ role: "user", content: [{ type: "text", text: "ERROR auth failed for xoxb-1234567890-abcdefghijklmnop" }, { type: "toolResult", toolUseId: "t1", content: "AKIAABCDEFGHIJKLMNOP" }] }]
      })
    );
    const sent = JSON.stringify(scripted.received());
    expect(sent).not.toContain("xoxb-1234567890-abcdefghijklmnop");
    expect(sent).not.toContain("AKIAABCDEFGHIJKLMNOP");
    expect(sent).not.toContain("abc123456789");
  });
});
