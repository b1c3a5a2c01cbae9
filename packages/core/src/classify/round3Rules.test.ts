import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyTier1 } from "./gate.js";
import { makeClassifierInput } from "./ClassifierInput.js";
import { matchOngoing } from "./signals.js";

/*
 * The gate's third round (issue #15): the three held-out alerts round 3 suppressed, the two weaknesses round 2 left
 * (small talk that opens a request to look; a "resolved by" notice whose words say it is still down), and the mechanisms
 * written after round 3's texts joined the development set. Texts quoted from fixtures/real keep their source there.
 */

const mention = fc.constantFrom("", "<@U0SREBOT> ", "<@U0SREBOT> @here ");
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/);
const decide = (text: string) => classifyTier1(text).decision;

describe("round 3's suppressed alerts", () => {
  it("work that never starts, trouble told with its reach, and a recurrence are investigated", () => {
    for (const text of [
      '<@U0SREBOT> Builds waiting for too long\nOur builds are not getting started, and showing "waiting" status.',
      "<@U0SREBOT> We're investigating a connection/network issue affecting all services",
      "<@U0SREBOT> Reopening as it's showing up again",
      "<@U0SREBOT> jobs are not being picked up",
      "<@U0SREBOT> the errors are popping up again"
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("a hand-off or meeting word never hides trouble with its reach", () => {
    const who = fc.constantFrom("We're investigating", "We are looking into", "The team is working on", "Let's get started on");
    const trouble = fc.constantFrom("an issue affecting", "problems impacting", "an outage affecting", "errors impacting");
    const whom = fc.constantFrom("all services", "some customers", "the EU region", "checkout");
    fc.assert(
      fc.property(mention, who, trouble, whom, (m, w, t, x) => {
        const text = `${m}${w} ${t} ${x}`;
        expect(decide(text), text).not.toBe("suppress");
      })
    );
  });
});

describe("round 2's known weaknesses", () => {
  it("small talk or a greeting that opens a request to look is left open; alone it is still chatter", () => {
    const opener = fc.constantFrom("anyone around?", "anyone free?", "hi,", "hello", "morning!", "have a good day, but");
    const ask = fc.constantFrom("can you look at", "could someone check", "please take a look at", "can you have a look at");
    const thing = fc.constantFrom("the payments API?", "checkout", "the nightly job", "X?");
    fc.assert(
      fc.property(mention, opener, ask, thing, (m, o, a, t) => {
        const text = `${m}${o} ${a} ${t}`;
        expect(decide(text), text).not.toBe("suppress");
      })
    );
    for (const text of ["<@U0SREBOT> anyone around?", "<@U0SREBOT> hi", "<@U0SREBOT> congrats"]) expect(decide(text), text).toBe("suppress");
  });

  it("a resolved or closed notice whose words say the trouble goes on is never suppressed", () => {
    const head = fc.constantFrom("Incident 1234 resolved by", "Alert #42 closed by", "Issue resolved by", "Incident resolved by");
    const still = fc.constantFrom("checkout is still down", 'Description: "the API is still down"', "users still see 502s", "the site is down again");
    fc.assert(
      fc.property(mention, head, name, fc.constantFrom(": ", "\n", ". "), still, (m, h, who, sep, s) => {
        const text = `${m}${h} ${who}${sep}${s}`;
        expect(decide(text), text).not.toBe("suppress");
      })
    );
  });

  it("a resolved notice that repeats what was wrong is still chatter", () => {
    for (const text of [
      "<@U0SREBOT> Incident 1234 resolved by alice",
      "<@U0SREBOT> [RESOLVED] TargetDown (node-exporter monitoring node-exporter warning)\n\nAlerts Resolved:\n - description = 50% of the node-exporter/node-exporter targets in monitoring namespace are down."
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
  });
});

describe("ongoing trouble is read outside conditions and the speaker's own work", () => {
  it("a condition or the speaker's follow-up does not make trouble ongoing", () => {
    for (const bare of [
      "everything should be back to normal now let us know if you're still seeing problems",
      "re open with more details if there's still an issue reaching our download page closing this for now",
      "everything is up again now will still keep this open while i do some final adjustments",
      "the site is back up on a new server instance still working on restoring the logs",
      "i will now keep you up to date"
    ]) {
      expect(matchOngoing(bare), bare).toBeNull();
    }
  });

  it("outside a condition, still-words keep their meaning, wherever the condition-free clause sits", () => {
    const before = fc.constantFrom("", "thanks for the fix", "if it helps", "we restarted it");
    const still = fc.constantFrom("it is still down", "users still see errors", "checkout keeps failing", "the api is down again");
    fc.assert(
      fc.property(before, still, (b, s) => {
        const bare = makeClassifierInput(`${b} ${s}`).bare;
        expect(matchOngoing(bare), bare).not.toBeNull();
      })
    );
  });

  it("a recovery that invites a report if trouble persists is chatter; one that says it persists is not", () => {
    fc.assert(
      fc.property(
        mention,
        fc.constantFrom("Should be back to normal now.", "Fixed.", "It is up again now."),
        fc.constantFrom("Let us know if you're still seeing problems.", "Reopen if you still see it.", "Let me know if it's still there."),
        (m, r, c) => {
          const text = `${m}${r} ${c}`;
          expect(decide(text), text).toBe("suppress");
          expect(decide(`${m}${r} But it is still down.`)).not.toBe("suppress");
        }
      )
    );
  });
});

describe("alert-tool notices that are not trouble", () => {
  it("CI results, status-page maintenance, test incidents and actions on an existing issue are chatter", () => {
    for (const text of [
      "<@U0SREBOT> Build [#33](http://exampleurl.com/#builders/1/builds/33) (result: success) for **runtests** finished.",
      "<@U0SREBOT> Build [#10434](https://ci.example.org/#builders/79/builds/307) (result: cancelled) for **AMD64 Ubuntu 18.04 Python 3** finished.",
      "<@U0SREBOT> Author: Balaji B <balaji@example.com>\nBuild status: Passed :thumbs_up:\nDetails: [build log](https://ci.example.com/go/tab/pipeline/history/pipelineName)",
      "<@U0SREBOT> **Database component** has changed status from **operational** to **under_maintenance**.",
      "<@U0SREBOT> The following scheduled maintenance has been opened: **Expect some services downtime due to server maintenance**",
      "<@U0SREBOT> **:alert: Canary *0000000testnode* has been triggered!**\n\nThis is a dummy incident.\n\n**Kind:** Dummy Incident",
      "<@U0SREBOT> **:alert: Canarytoken has been triggered on <time:2020-06-09T14:04:39+00:00>!**\n\nCongrats! The newly saved webhook works \n",
      "<@U0SREBOT> Issue **Exception: program has entered an invalid state.** has now been assigned to **team lone-wolf** by **Hemanth V. Alluri**.",
      "<@U0SREBOT> Issue **Exception: program has entered an invalid state.** was ignored by **Hemanth V. Alluri**.",
      "<@U0SREBOT> **[foo marked E#2 as fixed](https://opbeat.com/test_org/test-flask-app/errors/2/#activity-1)**\nfoo marked the error group as fixed"
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
  });

  it("a failed or broken CI result, a component going down and a real canary trip stay alerts", () => {
    for (const text of [
      "<@U0SREBOT> Build [#34](http://exampleurl.com/#builders/1/builds/34) (result: failure) for **runtests** finished.",
      "<@U0SREBOT> Author: Balaji B\nBuild status: Failed :thumbs_down:",
      "<@U0SREBOT> **Database component** has changed status from **operational** to **major_outage**.",
      "<@U0SREBOT> **:alert: Canarytoken has been triggered on <time:2020-06-09T14:04:39+00:00>!**\n\nSomeone opened the document."
    ]) {
      expect(decide(text), text).not.toBe("suppress");
    }
  });
});

describe("hand-offs to another party and closings", () => {
  it("taking trouble to another party, with no failure word, is chatter", () => {
    for (const text of [
      "<@U0SREBOT> Following up with Marist on the issue.",
      "<@U0SREBOT> Ticket SI-17771 logged for SI",
      "<@U0SREBOT> we are trying to reach out to the Slack team once again.",
      "<@U0SREBOT> Checking ...",
      "<@U0SREBOT> This seems related to a deploy rollout. Closing..",
      "<@U0SREBOT> It did. Closing.",
      "<@U0SREBOT> Slack is now up!",
      "<@U0SREBOT> Back to usual"
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
  });

  it("with trouble in it, it is a report", () => {
    for (const text of [
      "<@U0SREBOT> Following up with the vendor: checkout is down",
      "<@U0SREBOT> Created a ticket, the API returns 502s",
      "<@U0SREBOT> connection closing",
      "<@U0SREBOT> latency is now up"
    ]) {
      expect(decide(text), text).not.toBe("suppress");
    }
  });
});

describe("more tool notices, thanks for a remedy, pointers elsewhere and alert management", () => {
  it("are chatter", () => {
    for (const text of [
      "<@U0SREBOT> Grafana alert: [RESOLVED] Load avg 15m too high Node alerts (10.108.0.2:9100 node-exporter)\n**Resolved**\n\nValue: B=18.98, C=0",
      "<@U0SREBOT> [Global Log Filter Usage](https://rundeck.com/project/myproject/job/show/a0296d93) execution [#12](https://rundeck.com/project/myproject/execution/follow/12) for myproject has started. :running:",
      "<@U0SREBOT> The build [objective-jepsen-35fbb2](http://objective-jepsen-35fbb2.netlify.com) on branch master is now ready.",
      "<@U0SREBOT> `1242` deployed by **Zulip Test**\nDescription sent via curl",
      "<@U0SREBOT> Thanks for restarting.",
      "<@U0SREBOT> I think this would be better reported at https://github.com/npm/registry.",
      '<@U0SREBOT> Reduce alarms that are "false positive" to de-clutter the alarm-channels/on-call engineer',
      "<@U0SREBOT> Silence dev datahub RDS alerts overnight\nThese alerts are giving us lots of false positives at the moment."
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
  });

  it("a firing section, a failed run, trouble after the thanks and alerts that fire are not", () => {
    for (const text of [
      "<@U0SREBOT> [FIRING:1] Load avg 15m too high\n**Firing**\n\nValue: B=18.98\n\n**Resolved**\n\nValue: B=1.2",
      "<@U0SREBOT> execution #13 for myproject has started failing",
      "<@U0SREBOT> Thanks for restarting, but the API is down again",
      "<@U0SREBOT> the alarms are firing for checkout, latency is at 5s"
    ]) {
      expect(decide(text), text).not.toBe("suppress");
    }
  });

  it("stalled work and the same problem seen by someone else are investigated", () => {
    for (const text of [
      "<@U0SREBOT> I am currently seeing stalled builds again, are there still some issues?",
      "<@U0SREBOT> Any updates on this? We're also hitting the same issue.",
      "<@U0SREBOT> No,it's not just you, I have the same problem, I hope it will get fixed soon."
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });
});
