import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { hashPassword } from "../../src/domain/passwords.ts";
import { pipelineGraph } from "../../src/http/admin/pipeline-graph.ts";
import { inEnglish, worded } from "../../src/i18n/stored-text.ts";
import { translator } from "../../src/i18n/translator.ts";
import { createUser } from "../../src/store/user-store.ts";
import { saveObtainedToken } from "../../src/store/obtained-token-store.ts";
import { recordProvider } from "../support/consumer.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const runs = "/api/portcullis/pipeline/runs";

const report = (base: string) => ({
  kind: "verify",
  ok: false,
  instances: [
    { name: "production", url: base, controller: true },
    { name: "development", url: "https://dev.example", controller: false },
  ],
  edges: [
    { from: "production", to: "development", provider: "Pipeline Development", status: "ok", detail: "GET /api/now/v1/whoami 200", token_expires_at: "2030-01-01T00:00:00.000Z" },
    { from: "development", to: "production", provider: "Pipeline Production", status: "broken", detail: "unhealthy: refresh failed: invalid_client", token_expires_at: "" },
  ],
  drift: [],
});

for (const dialect of dialectsUnderTest()) {
  describe(`recorded pipeline runs and the graph drawn from them (${dialect.name})`, () => {
    let server: TestInstance;
    before(async () => {
      server = await startTestInstance(dialect);
      await createUser(server.instance.store.db, { userName: "itil", name: "Not an admin", passwordHash: await hashPassword("an itil password"), roles: [] }, "test");
    });
    after(() => server.close());

    const send = (method: string, path: string, authorization: string, body?: unknown) =>
      http(`${server.base}${path}`, { method, headers: { ...(authorization ? { authorization } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const stored = async () => Number((await server.instance.store.db.selectFrom("pipeline_run").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

    test("only an admin records a run; a report that does not hold together is a 400 and stores nothing", async () => {
      assert.equal((await send("POST", runs, "", report(server.base))).status, 401);
      assert.equal((await send("POST", runs, basic("itil", "an itil password"), report(server.base))).status, 403);
      const admin = basic("admin", adminPassword);
      const unknownEnd = { ...report(server.base), edges: [{ ...report(server.base).edges[0]!, to: "staging" }] };
      const twoControllers = { ...report(server.base), instances: report(server.base).instances.map((i) => ({ ...i, controller: true })) };
      const badUrl = { ...report(server.base), instances: [{ name: "production", url: "javascript:alert(1)", controller: true }, report(server.base).instances[1]] };
      for (const body of [unknownEnd, twoControllers, badUrl, { ...report(server.base), extra: 1 }, "not json at all"]) {
        const answer = await send("POST", runs, admin, body);
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.equal(answer.body.status, "failure");
      }
      assert.equal(await stored(), 0);
      assert.equal((await send("GET", `${runs}/latest`, admin)).status, 404);
    });

    test("the latest run is read back, and the graph joins it with this instance's own records", async () => {
      const admin = basic("admin", adminPassword);
      assert.equal((await send("POST", runs, admin, report(server.base))).status, 201);
      const latest = await send("GET", `${runs}/latest`, admin);
      assert.equal(latest.status, 200);
      assert.equal(latest.body.result.kind, "verify");
      assert.equal(latest.body.result.recorded_by, "admin");

      // A provider record for a peer outside the run, and an endpoint that peer redirects to: a
      // known instance. An endpoint redirecting to another /oauth_redirect.do, an instance neither
      // the run nor a provider record names, is a client, not an instance of the graph.
      await recordProvider(server.instance, { name: "Billing", client_id: "billing-id", client_secret: "billing-secret", token_url: "https://billing.example/oauth_token.do" });
      await registerClient(server.instance, { name: "Billing Client", redirect_url: "https://billing.example/oauth_redirect.do" });
      await registerClient(server.instance, { name: "QA Client", redirect_url: "https://qa.example/oauth_redirect.do" });
      await registerClient(server.instance, { name: "Elsewhere too", redirect_url: "https://qa.example/oauth_redirect.do, https://dev.example/oauth_redirect.do" });
      const graph = await pipelineGraph(server.instance);
      const names = Object.fromEntries(graph.nodes.map((n) => [n.name, { self: n.self, controller: n.controller }]));
      assert.deepEqual(names, {
        production: { self: true, controller: true },
        development: { self: false, controller: false },
        "billing.example": { self: false, controller: false },
      });
      const name = new Map(graph.nodes.map((n) => [n.key, n.name]));
      const edges = Object.fromEntries(graph.edges.map((e) => [`${name.get(e.from)}→${name.get(e.to)}`, `${e.record}: ${e.health}/${e.source}`]));
      assert.deepEqual(edges, {
        // The run's verdict stands where this instance holds nothing newer.
        "production→development": "Pipeline Development: ok/run",
        "development→production": "Pipeline Production: unhealthy/run",
        "production→billing.example": "Billing: no_token/records",
        "billing.example→production": "Billing Client: no_token/records",
      });
      // A run by an older version recorded English only: read as it was.
      assert.equal(inEnglish(graph.edges.find((e) => e.health === "unhealthy")!.reason!), "refresh failed: invalid_client");
    });

    test("a run's detail recorded as a catalog text is worded in the page reader's language, and decides the edge's health", async () => {
      const admin = basic("admin", adminPassword);
      const refused = { key: "providerError.tokenRefused", values: { status: 401, code: "invalid_client" } };
      const texts = {
        ...report(server.base),
        edges: [
          { ...report(server.base).edges[0]!, status: "broken", detail: "no token", detail_text: { key: "trust.detail.noToken" } },
          { ...report(server.base).edges[1]!, detail_text: { key: "trust.detail.unhealthy", values: { reason: { key: "providerError.refreshFailed", values: { reason: refused } } } } },
        ],
      };
      const refusedTexts = [
        { key: "no.such.key" },
        { key: "trust.detail.unhealthy", values: { reason: { key: "nope" } } },
        { key: "trust.detail.noToken", values: { text: "x".repeat(3000) } },
        "no token",
        // A page's text is not a reason, and a text missing one of its values would show the placeholders raw.
        { key: "tokens.revokeAll" },
        { key: "providerError.tokenRefusedWhy", values: { status: 400 } },
        { key: "trust.detail.unhealthy", values: { reason: { key: "providerError.unreachable", values: { origin: "https://x.example" } } } },
      ];
      for (const bad of refusedTexts) {
        const answer = await send("POST", runs, admin, { ...texts, edges: [{ ...texts.edges[0]!, detail_text: bad }] });
        assert.equal(answer.status, 400, JSON.stringify(bad));
      }
      assert.equal((await send("POST", runs, admin, texts)).status, 201);
      const graph = await pipelineGraph(server.instance);
      const development = graph.nodes.find((n) => n.name === "development")!.key;
      const toDevelopment = graph.edges.find((e) => e.to === development)!;
      const fromDevelopment = graph.edges.find((e) => e.from === development)!;
      assert.equal(toDevelopment.health, "no_token");
      assert.equal(fromDevelopment.health, "unhealthy");
      assert.equal(inEnglish(fromDevelopment.reason!), "refresh failed: the token endpoint answered 401 invalid_client");
      assert.equal(worded(fromDevelopment.reason!, translator("ko").t), "갱신 실패: 토큰 엔드포인트가 401 invalid_client(으)로 응답했습니다");
      assert.equal(worded(toDevelopment.reason!, translator("ko").t), "토큰 없음");

      // A stored run whose detail text this version cannot word (a newer one's key) keeps the run and its English.
      const db = server.instance.store.db;
      const newest = await db.selectFrom("pipeline_run").select(["sys_id", "report"]).orderBy("recorded_at", "desc").orderBy("sys_id", "desc").limit(1).executeTakeFirstOrThrow();
      const stored = JSON.parse(newest.report);
      stored.edges[1].detail_text = { key: "trust.detail.fromTheFuture" };
      await db.updateTable("pipeline_run").set({ report: JSON.stringify(stored) }).where("sys_id", "=", newest.sys_id).execute();
      const later = await pipelineGraph(server.instance);
      assert.equal(later.edges.find((e) => e.from === development)!.health, "unhealthy");
      assert.equal(inEnglish(later.edges.find((e) => e.from === development)!.reason!), "refresh failed: invalid_client");
    });

    test("a run's edge past its token's expiry stays ok when the run saw the token renews itself", async () => {
      const admin = basic("admin", adminPassword);
      const past = new Date(Date.now() - 60_000).toISOString();
      const renewing = {
        ...report(server.base),
        edges: [
          { ...report(server.base).edges[0]!, token_expires_at: past, token_renewable: true },
          { ...report(server.base).edges[1]!, status: "ok", detail: "GET /api/now/v1/whoami 200", token_expires_at: past, token_renewable: false },
        ],
      };
      assert.equal((await send("POST", runs, admin, { ...renewing, edges: [{ ...renewing.edges[0]!, token_renewable: "yes" }, renewing.edges[1]!] })).status, 400);
      assert.equal((await send("POST", runs, admin, renewing)).status, 201);
      const graph = await pipelineGraph(server.instance);
      const development = graph.nodes.find((n) => n.name === "development")!.key;
      const toDevelopment = graph.edges.find((e) => e.to === development)!;
      const fromDevelopment = graph.edges.find((e) => e.from === development)!;
      assert.deepEqual([toDevelopment.health, toDevelopment.renewsOnNextUse], ["ok", true]);
      assert.equal(fromDevelopment.health, "expired");
    });

    test("several records for one peer: the edge is the one the run used, else the healthiest, not the last listed", async () => {
      const box = instanceSecretBox(server.instance);
      const db = server.instance.store.db;
      const holding = await recordProvider(server.instance, { name: "Crm A", client_id: "crm-a", client_secret: "s", token_url: "https://crm.example/oauth_token.do" });
      await saveObtainedToken(db, box, holding, "client_credentials", { accessToken: "held", expiresIn: 3600 });
      await recordProvider(server.instance, { name: "Crm Z spare", client_id: "crm-z", client_secret: "s", token_url: "https://crm.example/oauth_token.do" });
      const edgeTo = async (host: string) => {
        const graph = await pipelineGraph(server.instance);
        const key = graph.nodes.find((n) => n.name === host)!.key;
        return graph.edges.find((e) => e.to === key)!;
      };
      const crm = await edgeTo("crm.example");
      assert.equal(crm.record, "Crm A");
      assert.equal(crm.health, "ok");

      // The run's edge to development names "Pipeline Development": a second record for that
      // peer which holds a token does not take the edge from the one the run used.
      const used = await recordProvider(server.instance, { name: "Pipeline Development", client_id: "pd", client_secret: "s", token_url: "https://dev.example/oauth_token.do" });
      const other = await recordProvider(server.instance, { name: "Zeta Dev", client_id: "ad", client_secret: "s", token_url: "https://dev.example/oauth_token.do" });
      await saveObtainedToken(db, box, other, "client_credentials", { accessToken: "other", expiresIn: 3600 });
      const dev = await edgeTo("development");
      assert.equal(dev.record, used.name);
      assert.equal(dev.health, "no_token");
    });

    test("a held token past its expiry is 'expired' only when nothing can renew it, as provider list says", async () => {
      const box = instanceSecretBox(server.instance);
      const db = server.instance.store.db;
      const hour = 3600_000;
      const renewed = await recordProvider(server.instance, { name: "Renewed", client_id: "r", client_secret: "s", token_url: "https://renewed.example/oauth_token.do" });
      await saveObtainedToken(db, box, renewed, "client_credentials", { accessToken: "cc", expiresIn: 60 });
      const refreshed = await recordProvider(server.instance, { name: "Refreshed", client_id: "f", client_secret: "s", token_url: "https://refreshed.example/oauth_token.do" });
      await saveObtainedToken(db, box, refreshed, "authorization_code", { accessToken: "ac", refreshToken: "rt", expiresIn: 60 });
      const stranded = await recordProvider(server.instance, { name: "Stranded", client_id: "x", client_secret: "s", token_url: "https://stranded.example/oauth_token.do" });
      await saveObtainedToken(db, box, stranded, "authorization_code", { accessToken: "only", expiresIn: 60 });
      const healthTo = async (host: string, now: number) => {
        const graph = await pipelineGraph(server.instance, now);
        const key = graph.nodes.find((n) => n.name === host)!.key;
        return graph.edges.find((e) => e.to === key)!.health;
      };
      for (const host of ["renewed.example", "refreshed.example", "stranded.example"]) assert.equal(await healthTo(host, Date.now()), "ok", host);
      const later = Date.now() + 2 * hour;
      assert.equal(await healthTo("renewed.example", later), "ok", "client_credentials asks again");
      assert.equal(await healthTo("refreshed.example", later), "ok", "the refresh token renews it");
      assert.equal(await healthTo("stranded.example", later), "expired", "nothing renews it: sign in again");
      const edgeTo = async (host: string, now: number) => {
        const graph = await pipelineGraph(server.instance, now);
        return graph.edges.find((e) => e.to === graph.nodes.find((n) => n.name === host)!.key)!;
      };
      assert.equal((await edgeTo("renewed.example", later)).renewsOnNextUse, true, "drawn as renewed on next use, not 'until' a time gone by");
      assert.equal((await edgeTo("renewed.example", Date.now())).renewsOnNextUse, undefined);

      // Two records for one peer, both ok: the live token's, not the one that must renew first, whichever is listed first.
      const older = await recordProvider(server.instance, { name: "Aa first listed", client_id: "a1", client_secret: "s", token_url: "https://pair.example/oauth_token.do" });
      await saveObtainedToken(db, box, older, "client_credentials", { accessToken: "short", expiresIn: 60 });
      const newer = await recordProvider(server.instance, { name: "Zz listed last", client_id: "z1", client_secret: "s", token_url: "https://pair.example/oauth_token.do" });
      await saveObtainedToken(db, box, newer, "client_credentials", { accessToken: "long", expiresIn: 4 * 3600 });
      const pair = await edgeTo("pair.example", later);
      assert.deepEqual([pair.record, pair.health, pair.renewsOnNextUse], ["Zz listed last", "ok", undefined]);
    });
  });
}

describe("the graph without a recorded run", () => {
  test("a pipeline's endpoint is still drawn: its peers are the instances this one holds provider records for; a stranger's /oauth_redirect.do is not", async () => {
    const server = await startTestInstance(dialectsUnderTest()[0]!);
    try {
      // What pipeline up leaves on development when its report could not be recorded there.
      const production = "https://prod.example";
      await recordProvider(server.instance, { name: "Pipeline Production", client_id: "p", client_secret: "s", token_url: `${production}/oauth_token.do` });
      await registerClient(server.instance, { name: "Pipeline Development Client", redirect_url: `${production}/oauth_redirect.do, ${server.base}/oauth_redirect.do` });
      await registerClient(server.instance, { name: "A ServiceNow outside the pipeline", redirect_url: "https://acme.service-now.example/oauth_redirect.do" });
      const graph = await pipelineGraph(server.instance);
      const self = new URL(server.base).host;
      assert.deepEqual(graph.nodes.map((n) => n.name).sort(), [self, "prod.example"].sort());
      const name = new Map(graph.nodes.map((n) => [n.key, n.name]));
      assert.deepEqual(graph.edges.map((e) => `${name.get(e.from)}→${name.get(e.to)}: ${e.record}`).sort(), [`${self}→prod.example: Pipeline Production`, `prod.example→${self}: Pipeline Development Client`]);
    } finally {
      await server.close();
    }
  });
});
