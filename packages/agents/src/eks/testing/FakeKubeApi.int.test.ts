/**
 * The fake API server answers lists as a real one does, with code of its own: label selectors,
 * only the field selectors each kind supports (the Kubernetes "Field Selectors" page), and
 * `limit`/`continue` paging. The production selector code agrees with it on generated selectors.
 */
import { CoreV1Api } from "@kubernetes/client-node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelSelectorPredicate } from "../kube/selectors.js";
import { type FakeKubeApi, startFakeKubeApi } from "./FakeKubeApi.js";
import { parseLabelSelector } from "./fakeKubeSelectors.js";
import { paymentsOutageFixture } from "./paymentsOutage.js";

let api: FakeKubeApi;
beforeAll(async () => {
  api = await startFakeKubeApi(paymentsOutageFixture());
});
afterAll(async () => {
  await api.close();
});

interface ListBody {
  readonly items?: ReadonlyArray<{ readonly metadata: { readonly name: string; readonly namespace?: string } }>;
  readonly metadata?: { readonly continue?: string; readonly remainingItemCount?: number };
  readonly message?: string;
}
const get = async (path: string, query: Readonly<Record<string, string>> = {}) => {
  const res = await fetch(`${api.url}${path}?${new URLSearchParams(query).toString()}`, { headers: { authorization: "Bearer fake-token" } });
  return { status: res.status, body: (await res.json()) as ListBody };
};
const names = (body: ListBody) => (body.items ?? []).map((i) => i.metadata.name);

describe("label selectors", () => {
  it("selects by equality, inequality (absent labels included), sets and existence", async () => {
    expect(names((await get("/api/v1/namespaces/payments/pods", { labelSelector: "app.kubernetes.io/name=payments-db" })).body)).toEqual(["payments-db-0"]);
    expect(names((await get("/api/v1/namespaces/payments/pods", { labelSelector: "app.kubernetes.io/name==payments-db" })).body)).toEqual(["payments-db-0"]);
    const notApi = names((await get("/api/v1/namespaces/payments/pods", { labelSelector: "app.kubernetes.io/name!=api" })).body);
    expect(notApi).toEqual(["payments-db-0", "ledger-worker-zmzrcfklfp-gfkl7", "ledger-worker-zmzrcfklfp-9kfpj"]);
    expect(names((await get("/api/v1/pods", { labelSelector: "k8s-app in (kube-dns, kube-proxy),pod-template-hash" })).body)).toEqual([
      "coredns-cbt44nxkr2-d8t6v",
      "coredns-cbt44nxkr2-xbkff"
    ]);
    // notin and !key match pods without the label at all.
    expect(names((await get("/api/v1/namespaces/payments/pods", { labelSelector: "!pod-template-hash" })).body)).toEqual(["payments-db-0"]);
    expect(names((await get("/api/v1/namespaces/payments/pods", { labelSelector: "pod-template-hash notin (kjr2rkrl28, 5cnt4ql7wf, zmzrcfklfp)" })).body)).toEqual(["payments-db-0"]);
  });

  it("answers 400 BadRequest to a selector the API server cannot parse", async () => {
    for (const labelSelector of ["app in ()", "app=(x", "-bad-key=x", "app=va lue", "app in (a b)"]) {
      const { status, body } = await get("/api/v1/pods", { labelSelector });
      expect(status, labelSelector).toBe(400);
      expect(body.message).toMatch(/unable to parse requirement/);
    }
  });
});

describe("field selectors", () => {
  it("selects by the fields each kind supports", async () => {
    const node = "ip-10-0-3-77.eu-west-1.compute.internal";
    expect(names((await get("/api/v1/pods", { fieldSelector: `spec.nodeName=${node},status.phase!=Running` })).body)).toEqual(["report-generator-98xxjfp5lm-nrk2j"]);
    expect(names((await get("/api/v1/pods", { fieldSelector: "metadata.namespace=monitoring" })).body)).toHaveLength(1);
    const warnings = (await get("/api/v1/events", { fieldSelector: "type=Warning" })).body.items ?? [];
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThan(11);
    expect(names((await get("/api/v1/nodes", { fieldSelector: "spec.unschedulable=false" })).body)).toHaveLength(3);
    expect(names((await get("/apis/apps/v1/deployments", { fieldSelector: "metadata.name=api" })).body)).toEqual(["api"]);
  });

  it("refuses, as the API server does, fields a kind does not support and set-based operators", async () => {
    const refused = [
      ["/apis/apps/v1/deployments", "spec.replicas=3"],
      ["/api/v1/pods", "metadata.labels.app=api"],
      ["/api/v1/nodes", "spec.nodeName=x"],
      ["/api/v1/services", "spec.type=ClusterIP"],
      ["/api/v1/pods", "status.phase in (Running)"]
    ] as const;
    for (const [path, fieldSelector] of refused) {
      const { status, body } = await get(path, { fieldSelector });
      expect(status, `${path} ${fieldSelector}`).toBe(400);
      expect(body.message, fieldSelector).toMatch(/is not a known field selector: only "metadata\.name", "metadata\.namespace"|can't understand/);
    }
  });
});

describe("paging with limit and continue", () => {
  it("returns every item exactly once across pages, with the remaining count, and refuses a token from another query", async () => {
    const all = names((await get("/api/v1/pods")).body);
    expect(all).toHaveLength(21);
    const seen: Array<string> = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await get("/api/v1/pods", { limit: "5", ...(token !== undefined ? { continue: token } : {}) });
      expect(status).toBe(200);
      seen.push(...names(body));
      token = body.metadata?.continue;
      if (token !== undefined) expect(body.metadata?.remainingItemCount).toBe(all.length - seen.length);
      pages++;
    } while (token !== undefined);
    expect(pages).toBe(5);
    expect(seen).toEqual(all);
    const first = (await get("/api/v1/pods", { limit: "2" })).body.metadata?.continue ?? "";
    expect((await get("/api/v1/pods", { limit: "2", continue: first, labelSelector: "k8s-app" })).status).toBe(400);
    expect((await get("/api/v1/pods", { continue: "garbage" })).status).toBe(400);
    expect((await get("/api/v1/pods", { limit: "-1" })).status).toBe(400);
  });

  it("pages through the official client's `limit` and `_continue`", async () => {
    const core = api.kubeConfig().makeApiClient(CoreV1Api);
    const first = await core.listPodForAllNamespaces({ limit: 20 });
    expect(first.items).toHaveLength(20);
    const rest = await core.listPodForAllNamespaces({ limit: 20, _continue: first.metadata?._continue ?? "" });
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(["ledger-worker-zmzrcfklfp-9kfpj"]);
    expect(rest.metadata?._continue).toBeUndefined();
  });
});

describe("the production label selectors agree with the fake's", () => {
  it("on generated selectors and label sets", () => {
    const key = fc.constantFrom("app", "tier", "example.com/team");
    const value = fc.constantFrom("api", "db", "web");
    const term = fc.oneof(
      fc.tuple(key, fc.constantFrom("=", "==", "!="), value).map(([k, op, v]) => `${k}${op}${v}`),
      fc.tuple(key, fc.constantFrom("in", "notin"), fc.uniqueArray(value, { minLength: 1, maxLength: 3 })).map(([k, op, vs]) => `${k} ${op} (${vs.join(",")})`),
      key,
      key.map((k) => `!${k}`)
    );
    const labels = fc.dictionary(key, value, { maxKeys: 3 });
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 3 }), labels, (terms, l) => {
        const selector = terms.join(",");
        expect(labelSelectorPredicate(selector)(l), selector).toBe(parseLabelSelector(selector)(l));
      }),
      { numRuns: 300 }
    );
  });
});
