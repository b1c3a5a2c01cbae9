import { Effect } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyThreadMention, classifyTier1, makeGate } from "./gate.js";

/*
 * The mechanisms added in the gate's second round (issue #15): what an alert tool says happened to an existing alert, a
 * check's state in one sentence, SigNoz/AppOptics/Gatus firing titles, closings and past outages told with their length,
 * thanks for an answer, on-call roster talk and short questions that name no trouble. Each is read from structure, so the
 * properties below vary the words around it.
 */

const mention = fc.constantFrom("", "<@U0SREBOT> ", "<@U0SREBOT> @here ");
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/);
const ongoing = fc.constantFrom("it is still down", "checkout is failing again", "the API is down", "users still see 502s");

describe("alert-tool lifecycle notices", () => {
  it("an incident resolved, acknowledged or closed by someone is chatter, whatever its quoted description says", () => {
    const object = fc.constantFrom("Incident", "Alert", "Error", ":grinning: Incident", "[Incident](https://alerts.example.com/i/1)");
    const verb = fc.constantFrom("resolved by", "acknowledged by", "closed by", "**closed** for condition:", "status changed to: Ignored by");
    const description = fc.constantFrom("", "\n\n>It is on fire", "\n\n>mp_error_block_down_critical", "\nTimestamp: 1970");
    fc.assert(
      fc.property(mention, object, fc.nat(9999), verb, name, description, (m, o, n, v, who, d) => {
        const text = `${m}${o} ${n} ${v} ${who}${d}`;
        expect(classifyTier1(text).decision, text).toBe("suppress");
      })
    );
  });

  it("a lifecycle notice that also says the trouble is ongoing is never suppressed", () => {
    fc.assert(
      fc.property(mention, fc.constantFrom("Alert 7 acknowledged by", "[Error](https://app.example.com/e/1) status changed to: Ignored by"), name, ongoing, (m, head, who, tail) => {
        const text = `${m}${head} ${who}\n\n${tail}`;
        expect(classifyTier1(text).decision, text).not.toBe("suppress");
      })
    );
  });

  it("opening, triggering and escalating are trouble", () => {
    for (const text of [
      "<@U0SREBOT> [Incident](https://alerts.example.com/i/1) **opened** for condition: **Server Down**",
      "<@U0SREBOT> :imp: Incident [3](https://pd.example.com/incidents/P1) triggered by [svc](https://pd.example.com/s) and assigned to [bob](https://pd.example.com/u)",
      "<@U0SREBOT> **OpsGenie: [Alert for Webhook.](https://app.opsgenie.com/alert/1)**\nType: *Escalate*\nEscalation: *test_esc*"
    ]) {
      expect(classifyTier1(text).decision, text).not.toBe("suppress");
    }
  });
});

describe("a check's state in one sentence", () => {
  it("a tool's healthy state word is chatter, a trouble state is never suppressed", () => {
    const subject = fc.constantFrom("kapacitor/cpu/serverA", "Service", "cpu_usage_idle:cpu=cpu-total", "Your service 'Shop'");
    fc.assert(
      fc.property(mention, subject, fc.constantFrom("OK", "UP", "`up`", "currently online"), fc.constantFrom("", ".", "!"), (m, s, state, end) => {
        expect(classifyTier1(`${m}${s} is ${state}${end}`).decision).toBe("suppress");
      })
    );
    fc.assert(
      fc.property(mention, subject, fc.constantFrom("CRITICAL", "WARNING", "DOWN", "`down`", "currently offline"), (m, s, state) => {
        expect(classifyTier1(`${m}${s} is ${state}`).decision).not.toBe("suppress");
      })
    );
  });

  it("a metric that is up is not a check that is up", () => {
    for (const text of ["<@U0SREBOT> latency is up", "<@U0SREBOT> error rate is up again", "<@U0SREBOT> p99 latency is up now"]) {
      expect(classifyTier1(text).decision, text).not.toBe("suppress");
    }
  });
});

describe("firing titles of other tools", () => {
  it('"(FIRING)", "Firing alert:" and "alert … has (been) triggered" investigate whatever follows', () => {
    const title = fc.constantFrom("HighCPU for Payment service (FIRING)", "Firing alert: test", "Alert [x](https://a.example.com/1) has triggered!", "An alert for *api* has been triggered");
    const tail = fc.constantFrom("", "\nCheck runbook for more details", "\nthanks", "\ntest", "\nall good");
    fc.assert(
      fc.property(mention, title, tail, (m, t, rest) => {
        expect(classifyTier1(`${m}${t}${rest}`).decision).toBe("investigate");
      })
    );
  });
});

describe("conversation read from its structure", () => {
  it("an outage told with its length is over, unless trouble follows it", () => {
    const past = fc.constantFrom("it was down for a few mins", "It was down for 44 minutes", "~5 minutes of downtime", "over an hour of service degradation");
    fc.assert(
      fc.property(mention, past, (m, p) => {
        expect(classifyTier1(`${m}${p}`).decision).toBe("suppress");
      })
    );
    fc.assert(
      fc.property(mention, past, ongoing, (m, p, tail) => {
        expect(classifyTier1(`${m}${p}, and now ${tail}`).decision).not.toBe("suppress");
      })
    );
  });

  it("a short question with trouble in it, or asking someone to look, is never suppressed", () => {
    const question = fc.constantFrom("is there an update", "is that right", "any news on this", "do we have observations");
    const trouble = fc.constantFrom("the API is down", "checkout returns 502", "pods are crashlooping", "we see errors");
    fc.assert(
      fc.property(mention, question, trouble, (m, q, t) => {
        expect(classifyTier1(`${m}${q}, ${t}?`).decision).not.toBe("suppress");
        expect(classifyTier1(`${m}${q}? can you look at ${t.split(" ")[1]!}?`).decision).not.toBe("suppress");
      })
    );
  });

  it("a question that may be a report in disguise is never suppressed", () => {
    for (const q of [
      "is the VPN working?",
      "anyone else unable to log in?",
      "is there an issue with the API?",
      "why does checkout take 10 seconds?",
      "is it just me?",
      "is the dashboard loading for anyone?"
    ]) {
      expect(classifyTier1(`<@U0SREBOT> ${q}`).decision, q).not.toBe("suppress");
    }
  });

  it("a question in a thread leaves the decision to the thread's parent", async () => {
    const verdict = await Effect.runPromise(classifyThreadMention("[FIRING:1] KubePodCrashLooping (payments api-1 critical)", "<@U0SREBOT> any updates on this?"));
    expect(verdict.basis).toBe("thread");
    expect(verdict.verdict.decision).toBe("investigate");
  });

  it("a workaround that works for now is not a recovery", () => {
    expect(classifyTier1("<@U0SREBOT> We got many today in different pipelines\nA retry seems to work for now.").decision).not.toBe("suppress");
  });
});

describe("linear time", () => {
  it("a 100 KB adversarial message built from the new patterns' pieces still gets a verdict", () => {
    const gate = makeGate();
    for (const unit of ["Incident ", "[Incident](https://x.example.com/", "is OK ", "was down for ", "experiencing a b ", "(FIRING)", "Alert x ", "thanks for ", "on call ", "?"]) {
      const text = unit.repeat(Math.ceil(100_000 / unit.length));
      expect(gate.tier1(text).reasons.length).toBeGreaterThan(0);
    }
  });
});
