import { describe, it } from "vitest";
import { sampleAlert } from "../samples.js";
import { chatPlatformContract } from "../chatPlatformContract.js";
import { dedupStoreContract } from "../dedupStoreContract.js";
import { incidentMemoryContract } from "../incidentMemoryContract.js";
import { modelPortContract } from "../modelPortContract.js";
import { secretResolverContract } from "../secretResolverContract.js";
import { specialistContract } from "../specialistContract.js";
import { telemetryContract } from "../telemetryContract.js";
import { traceStoreContract } from "../traceStoreContract.js";
import { makeInMemoryChat } from "./InMemoryChat.js";
import { makeFakeSpecialist } from "./FakeSpecialist.js";
import {
  makeCapturingTelemetry,
  makeInMemoryDedupStore,
  makeInMemoryIncidentMemory,
  makeInMemoryTraceStore,
  makeStaticSecrets
} from "./InMemoryStores.js";
import { makeScriptedModel } from "./ScriptedModel.js";

const register = (cases: ReadonlyArray<{ name: string; run: () => Promise<void> }>) => {
  for (const c of cases) it(c.name, c.run);
};

describe("in-memory adapters pass the port contracts", () => {
  register(
    chatPlatformContract({
      make: async () => {
        const m = makeInMemoryChat();
        return { chat: m.chat, channelId: "C1", seed: async (msg) => m.seed("C1", { isBot: false, ...msg }) };
      }
    })
  );
  register(dedupStoreContract({ make: async (now) => ({ store: makeInMemoryDedupStore(now) }) }));
  register(traceStoreContract({ make: async () => ({ store: makeInMemoryTraceStore() }) }));
  register(incidentMemoryContract({ make: async () => ({ memory: makeInMemoryIncidentMemory() }) }));
  register(secretResolverContract({ make: async (s) => ({ resolver: makeStaticSecrets({ [s.name]: s.value }), unknownName: "missing" }) }));
  register(telemetryContract({ make: async () => makeCapturingTelemetry() }));
  register(
    modelPortContract({
      make: async () => {
        const m = makeScriptedModel();
        return { model: m.model, script: m.script, failNext: m.failNext, received: m.received };
      }
    })
  );
  register(
    specialistContract({
      make: async () => ({ specialist: makeFakeSpecialist("fake", { kind: "succeed", after: "10 millis" }), alert: sampleAlert })
    })
  );
});
