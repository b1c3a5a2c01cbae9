import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyTier1 } from "./gate.js";

/*
 * The gate's fifth round (issue #15): the two held-out alerts round 5 suppressed (work towards a recovery read as the
 * recovery, a partial recovery read as a whole one), and the mechanisms written after round 5's texts (g7) joined the
 * development set. Texts quoted from fixtures/real keep their source there; each mechanism is tested both ways, on the chatter
 * it now suppresses and on the nearby alerts it must leave alone.
 */

const mention = fc.constantFrom("", "<@U0SREBOT> ", "<@U0SREBOT> @here ");
const decide = (text: string) => classifyTier1(text).decision;
const rule = (text: string) => classifyTier1(text).rule;

describe("round 5's suppressed alerts", () => {
  it("are investigated", () => {
    for (const text of [
      "<@U0SREBOT> Sunday Nov 17th, 11:22am PST. We understand the problem. It is related to a timeout issue in our caching layer. We are looking at fixing the problem and bringing the system back up.",
      "<@U0SREBOT> WebIRC and  git are back, waiting for an admin to work on Minecraft / ZNC"
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("'bringing X back up' is work towards the recovery, whatever stands between the verb and 'back up'", () => {
    // The reason that quoted "back up" read the end of the sentence: "… and bringing the system back up."
    fc.assert(
      fc.property(mention, fc.constantFrom("the system", "the site", "our servers", "it"), fc.constantFrom("back up", "back online"), (m, what, back) => {
        const text = `${m}We are looking at fixing the problem and bringing ${what} ${back}.`;
        expect(rule(text), text).not.toBe("recovery");
      })
    );
    expect(decide("<@U0SREBOT> We brought the system back up.")).toBe("suppress");
  });

  it("a recovery of some things while work on others waits is an alert; a whole recovery is chatter", () => {
    fc.assert(
      fc.property(
        mention,
        fc.constantFrom("WebIRC and git are back", "git is back up", "Mail is working again"),
        fc.constantFrom("waiting for an admin to work on", "still waiting for the vendor to fix", "waiting on the network team to restore"),
        fc.constantFrom("Minecraft / ZNC", "DNS", "the wiki"),
        (m, back, wait, rest) => {
          const text = `${m}${back}, ${wait} ${rest}`;
          expect(decide(text), text).toBe("investigate");
        }
      )
    );
    expect(decide("<@U0SREBOT> Minecraft is now back")).toBe("suppress");
  });
});

describe("alert-tool notifications read by their structure", () => {
  it("Icinga's one-line notifications: the type decides, not the state it repeats", () => {
    const host = fc.constantFrom("db-01 - disk /var", "lb-02", "MediaWiki exceptions and fatals per minute on graphite1001");
    const state = fc.constantFrom("CRITICAL", "DOWN", "WARNING");
    fc.assert(
      fc.property(mention, fc.constantFrom("ACKNOWLEDGEMENT", "DOWNTIMESTART", "DOWNTIMEEND"), host, state, (m, type, h, s) => {
        const text = `${m}${type} - ${h} is ${s}`;
        expect(rule(text), text).toBe("notification-type");
        expect(decide(text), text).toBe("suppress");
      })
    );
    fc.assert(
      fc.property(mention, fc.constantFrom("PROBLEM", "FLAPPINGSTART"), host, state, (m, type, h, s) => {
        const text = `${m}${type} - ${h} is ${s}`;
        expect(decide(text), text).toBe("investigate");
      })
    );
  });

  it("CloudWatch's 'State Change: A → B' (aws-to-slack): the state it moved to decides", () => {
    expect(decide("<@U0SREBOT> web-prod-alb-5xx\nThreshold Crossed: 1 out of the last 1 datapoints [0.0 (12/03/24 14:31:00)] was not greater than or equal to the threshold (10.0) (minimum 1 datapoint for ALARM -> OK transition).\nState Change: ALARM → OK\nRegion: EU (Ireland)")).toBe("suppress");
    for (const to of ["ALARM", "INSUFFICIENT_DATA"]) {
      const text = `<@U0SREBOT> web-prod-alb-5xx\nThreshold Crossed: 1 out of the last 1 datapoints [27.0] was greater than or equal to the threshold (10.0).\nState Change: OK → ${to}\nRegion: EU (Ireland)`;
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("CloudFormation and CodeBuild states: a step completed or under way is quiet, a failure or a rollback is trouble", () => {
    for (const status of ["UPDATE_COMPLETE", "CREATE_IN_PROGRESS", "IN_PROGRESS", "DELETE_COMPLETE"]) {
      const text = `<@U0SREBOT> api-prod\nStatus: ${status}\nLogs: View Logs`;
      expect(decide(text), text).toBe("suppress");
    }
    for (const status of ["UPDATE_ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "FAILED"]) {
      const text = `<@U0SREBOT> api-prod\nStatus: ${status}\nLogs: View Logs`;
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("routine work a tool does by itself is chatter; the same tools' failures are not", () => {
    for (const text of [
      "<@U0SREBOT> [NTH][Instance Interruption] EventID: spot-itn-c94ca6c7 - Kind: SPOT_ITN - Instance: i-0a1b2c3d4e5f67890 - Node: ip-10-0-3-41.eu-west-1.compute.internal - Description: Spot ITN received. Instance will be interrupted at 2024-03-12T14:02:00Z \n - Start Time: 2024-03-12 14:02:00 +0000 UTC",
      "<@U0SREBOT> Draining node ip-10-0-3-41.eu-west-1.compute.internal",
      "<@U0SREBOT> Rebooting node ip-10-0-3-41.eu-west-1.compute.internal",
      "<@U0SREBOT> Canary promotion is waiting for approval.",
      "<@U0SREBOT> CircleCI job on hold, waiting for approval.\nON HOLD - Awaiting Approval :raised_hand:",
      "<@U0SREBOT> Rolling back manual webhook invoked",
      "<@U0SREBOT> :tada: kwatch@v0.10.1 just started!",
      "<@U0SREBOT> revo-ecs-cluster-AutoScalingGroup-6TD45WIULWSY - autoscaling:EC2_INSTANCE_LAUNCH\nAuto Scaling triggered autoscaling:EC2_INSTANCE_LAUNCH for service AWS Auto Scaling.\nService: AWS Auto Scaling\nEvent: autoscaling:EC2_INSTANCE_LAUNCH",
      "<@U0SREBOT> Canary analysis completed successfully, promotion finished.\nTarget: Deployment/podinfo.test\nFailed checks threshold: 5\nProgress deadline: 60s\nTraffic routing: Weight step: 10 max: 50"
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
    for (const text of [
      "<@U0SREBOT> revo-asg - autoscaling:EC2_INSTANCE_LAUNCH_ERROR\nAuto Scaling triggered autoscaling:EC2_INSTANCE_LAUNCH_ERROR for service AWS Auto Scaling.\nEvent: autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
      "<@U0SREBOT> Halt advancement podinfo.test failed checks threshold reached\nTarget: Deployment/podinfo.test\nFailed checks threshold: 5\nProgress deadline: 60s",
      "<@U0SREBOT> Failed checks threshold reached 5",
      '<@U0SREBOT> Progress deadline exceeded deployment "podinfo" exceeded its progress deadline',
      "<@U0SREBOT> Canary failed! Scaling down podinfo.test",
      "<@U0SREBOT> Draining node ip-10-0-3-41 failed: pods could not be evicted",
      "<@U0SREBOT> Deploy to prod is stuck waiting for approval"
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("test notifications from AWS Auto Scaling and Datadog are not alerts", () => {
    for (const text of [
      "<@U0SREBOT> revo-ecs-cluster-AutoScalingGroup-6TD45WIULWSY - autoscaling:TEST_NOTIFICATION\nAuto Scaling triggered autoscaling:TEST_NOTIFICATION for service AWS Auto Scaling.\nService: AWS Auto Scaling\nEvent: autoscaling:TEST_NOTIFICATION",
      "<@U0SREBOT> [Triggered] [TEST] Host Cluster Alert\n\nTest notification triggered by kenaz@puppet.com.\n\nThe monitor was last triggered at Wed Jun 03 2020 20:43:04 UTC."
    ]) {
      expect(rule(text), text).toBe("test-notification");
    }
    expect(decide("<@U0SREBOT> [Triggered] Host Cluster Alert\n\nCPU above 90% on web-01.")).toBe("investigate");
  });

  it("a monitor up, paused or acknowledged is chatter; down or unacknowledged is not", () => {
    for (const text of [
      "<@U0SREBOT> Monitor is up\nShop API (https://api.shop.example.com/health)",
      "<@U0SREBOT> Monitor is paused\nShop API (https://api.shop.example.com/health)",
      "<@U0SREBOT> Acknowledged - #2126",
      "<@U0SREBOT> Updated problem: Linux: High CPU utilization (over 90% for 5m)\nZabbix Administrator acknowledged problem at 2024.03.12 14:09:47.\n\n\nCurrent problem status is PROBLEM, acknowledged: Yes."
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
    for (const text of [
      "<@U0SREBOT> Monitor is down\nShop API (https://api.shop.example.com/health)",
      "<@U0SREBOT> Incident Triggered - #2126\nAn incident has been triggered.",
      "<@U0SREBOT> Updated problem: MySQL: Service is down\nZabbix Administrator commented problem at 2024.03.12 14:09:47.\n\n\nCurrent problem status is PROBLEM, acknowledged: No."
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });
});

describe("round 5's conversation mechanisms", () => {
  it("planned work under a scheduled-maintenance label is chatter, unless it went wrong", () => {
    for (const text of [
      "<@U0SREBOT> Scheduled Updates\n**Scheduled maintenace:** Servers are down while we re-organize some database tables.",
      "<@U0SREBOT> Scheduled Updates\n**Scheduled maintenance:** Servers were down while we did some maintenance."
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
    for (const text of [
      "<@U0SREBOT> **Scheduled maintenance:** the database is still down after the window",
      "<@U0SREBOT> **Scheduled maintenance:** Emergency fix, servers are down unexpectedly"
    ]) {
      expect(decide(text), text).not.toBe("suppress");
    }
  });

  it("downtime announced with a day-month date or a length is planned work", () => {
    expect(rule("<@U0SREBOT> Launchpad offline 23:00UTC 9 February\nLaunchpad will be offline for about 90 minutes while we roll out some changes to the database and to code hosting.")).toBe("announced-downtime");
    expect(decide("<@U0SREBOT> Launchpad is offline since 9 February")).toBe("investigate");
  });

  it("everyday recoveries: maintenance over, 'we're back', no longer reproducible, fine here, available again, the fix that worked", () => {
    for (const text of [
      "<@U0SREBOT> Maintenance is complete.",
      "<@U0SREBOT> We're back.",
      "<@U0SREBOT> It was 100% repro for a while yesterday. It does not seem to repro anymore.",
      "<@U0SREBOT> They work fine here?",
      "<@U0SREBOT> Our live chat support is available again.",
      "<@U0SREBOT> Solution seems to have been to lower replication to 3-4 instead of 8.",
      "<@U0SREBOT> This is fixed now - I see queued jobs were picked up. It may take some time to process the backlog, but the CI is up and running."
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
    for (const text of [
      "<@U0SREBOT> Maintenance is complete but the site is still down",
      "<@U0SREBOT> We're back but the API is still returning 502",
      "<@U0SREBOT> It doesn't work anymore",
      "<@U0SREBOT> They don't work here either",
      "<@U0SREBOT> the solution was to restart it, but it's broken again",
      "<@U0SREBOT> This is fixed now, but the CI is failing again"
    ]) {
      expect(decide(text), text).not.toBe("suppress");
    }
    expect(decide("<@U0SREBOT> Our live chat support is not available again")).not.toBe("suppress");
  });

  it("an outage told with its length, a place between, is over; one that goes on is not", () => {
    expect(
      decide(
        "<@U0SREBOT> @Qchristensen  Yes, they are back up now.\nThey were unreachable from either coast of the United States for about an hour (I used various servers I administer to perform differential checks from various locations).\nThe DNS was completely gone, no zones found via `dig`."
      )
    ).toBe("suppress");
    expect(decide("<@U0SREBOT> They were unreachable from the US for about an hour and still are")).toBe("investigate");
  });

  it("a fix the speaker made, told with its cause, is chatter; more trouble beside it is not", () => {
    expect(decide("<@U0SREBOT> We have restored connectivity. Looks like a power outage took out our switch and the UPS for it failed to restart")).toBe("suppress");
    for (const text of [
      "<@U0SREBOT> We have restored the database. Looks like the API is also down",
      "<@U0SREBOT> We have fixed the login. It seems checkout is failing too",
      "<@U0SREBOT> We fixed it, turns out it is down again"
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("a recovery with a question back to the reporter is chatter; trouble in the speaker's own words is not", () => {
    expect(decide("<@U0SREBOT> Hi, I'm able to reach the site now. Are you still having issues?")).toBe("suppress");
    for (const text of [
      "<@U0SREBOT> I'm able to reach the site now. Is checkout still failing for you? The API returns 500",
      "<@U0SREBOT> The API returns 500 for me. Are you still having issues?",
      "<@U0SREBOT> Works now. Are you still seeing errors? Mine are failing again"
    ]) {
      expect(decide(text), text).not.toBe("suppress");
    }
  });

  it("hand-offs, assignments, upgrades and good news with no alert signal are chatter; with one they are reports", () => {
    for (const text of [
      "<@U0SREBOT> Taking a look now",
      "<@U0SREBOT> Yes - waiting on the DNS team to update the records. Will update once resolving.",
      "<@U0SREBOT> @gnirodi Please provide a summary and assign this to @ZackButcher.",
      "<@U0SREBOT> @gnirodi  I'm the primary oncall. Please assign to me.",
      "<@U0SREBOT> Yep, working on some upgrades to the server. It will be back online shortly.",
      "<@U0SREBOT> We're currently upgrading the docker-enabled infrastructure: http://blog.wercker.com/2015/07/01/Infrastructure-Upgrades.html",
      "<@U0SREBOT> Woohoo, glad to hear it!\n\nAll the best,\nRyan",
      "<@U0SREBOT> i’m busy with work anyway",
      "<@U0SREBOT> Add short description of each rotation\n**What would you like to be added**:\nEach rotation should have a short description."
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
    for (const text of [
      "<@U0SREBOT> Taking a look now, the API is returning 502",
      "<@U0SREBOT> waiting on the DNS team to fix the outage, site still down",
      "<@U0SREBOT> please assign to me, prod is down",
      "<@U0SREBOT> We're upgrading the cluster and now the API returns 502",
      "<@U0SREBOT> glad to hear it, but checkout is down for us",
      "<@U0SREBOT> i'm busy with the outage"
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("process and review talk is chatter; a report in the same words is not", () => {
    for (const text of [
      "<@U0SREBOT> We're going to need a process to ensure that this get refreshed periodically, and that when people are unable to do their oncall duty (vacation, illness etc), there's a well-defined process for updating this.",
      "<@U0SREBOT> It is completely dependent on the registry where the domain name was bought. For me, this is a follow-up of #631",
      "<@U0SREBOT> It is important to note that we have very limited SLA on this free service, downtimes of few hours have to be expected from time to time.",
      "<@U0SREBOT> LGTM!\n\nThis is a relevant link, for me at least - could be worth linking to it as a reference\n\nhttps://basecamp.com/guides/group-chat-problems",
      "<@U0SREBOT> @michaellzc is this mandatory? if so, I think all teammates should approve this PR to ensure they are aware"
    ]) {
      expect(decide(text), text).toBe("suppress");
    }
    for (const text of [
      "<@U0SREBOT> LGTM, but the deploy failed on staging",
      "<@U0SREBOT> errors are to be expected while the API returns 502",
      "<@U0SREBOT> please review this PR, prod is down without it"
    ]) {
      expect(decide(text), text).toBe("investigate");
    }
  });

  it("'pending' before the review it waits for, and an outage named as 'the last time', are not trouble now", () => {
    expect(decide("<@U0SREBOT> Route53 records restored, pending re-viewing our health checks.")).toBe("suppress");
    expect(decide("<@U0SREBOT> Closing this since it's from the last time the server went down. But just a heads up, we moved servers.")).toBe("suppress");
    for (const text of ["<@U0SREBOT> 3 pods pending", "<@U0SREBOT> jobs pending scheduling for 2 hours", "<@U0SREBOT> the server went down again, like the last time"]) {
      expect(decide(text), text).not.toBe("suppress");
    }
  });
});
