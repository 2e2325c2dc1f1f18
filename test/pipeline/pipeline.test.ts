import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { hashPassword } from "../../src/domain/passwords.ts";
import { portcullisAdminClient } from "../../src/pipeline/instance-admin-client.ts";
import { parsePipeline } from "../../src/pipeline/pipeline-file.ts";
import { createUser } from "../../src/store/user-store.ts";
import { instanceSecretBox } from "../../src/consumer/secret-box.ts";
import { deleteProvider, findProvider, updateProvider } from "../../src/store/provider-store.ts";
import { findClient, updateClient } from "../../src/store/oauth-entity-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText } from "../support/pipeline.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

const cli = (args: string[]) => pipelineCLI(args);
const pipelineYaml = pipelineFileText;

async function entityCount(instance: TestInstance): Promise<number> {
  const row = await instance.instance.store.db.selectFrom("oauth_entity").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("pipeline up / verify / status across real instances", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let prod: TestInstance;
  let dev: TestInstance;
  let testing: TestInstance;
  let staging: TestInstance;
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    [prod, dev, testing, staging] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite), startTestInstance(sqlite), startTestInstance(sqlite)]);
    fs.writeFileSync(file, pipelineYaml(prod, [["development", dev, "DEV_PW"], ["test", testing, "TEST_PW"]]));
  });
  after(async () => {
    await Promise.all([prod, dev, testing, staging].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("up on three instances creates the seed's records and proves both directions of every edge", async () => {
    const run = await cli(["pipeline", "up", file]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stderr, "Signing in to 3 instances…\n", "a line before the first answer, on stderr");
    assert.match(run.stdout, /production\s+created\s+endpoint "Pipeline Controller Client"/);
    assert.match(run.stdout, /development\s+created\s+endpoint "Pipeline Development Client"/);
    assert.match(run.stdout, /production\s+created\s+provider "Pipeline Test" → test/);
    assert.equal(run.stdout.match(/ ok /g)?.length, 4);
    // Columns line up in terminal cells: each row's status sits under the STATUS heading. Every
    // character here takes one cell in a terminal, so length counts cells (string-width said 2 for ↔).
    const lines = run.stdout.split("\n");
    const statusAt = lines.find((l) => l.startsWith("EDGE"))!.indexOf("STATUS");
    assert.match(run.stdout, /^\d+ changes made\.\n\nEDGE /m, "a blank line before the table, as demo and the README print it");
    const rows = lines.filter((l) => l.startsWith("production ⇄"));
    assert.equal(rows.length, 4);
    for (const row of rows) assert.equal(row.indexOf(" ok ") + 1, statusAt, row);
    const controller = await findClient(prod.instance.store.db, "Pipeline Controller Client");
    assert.deepEqual(controller!.redirectUrls, [prod, dev, testing].map((i) => `${i.base}/oauth_redirect.do`));
    const devClient = await findClient(dev.instance.store.db, "Pipeline Development Client");
    assert.deepEqual(devClient!.redirectUrls, [prod, dev].map((i) => `${i.base}/oauth_redirect.do`));
  });

  test("a second run changes nothing and says so", async () => {
    const before = await Promise.all([prod, dev, testing].map(entityCount));
    const run = await cli(["pipeline", "up", file]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /Nothing changed/);
    assert.deepEqual(await Promise.all([prod, dev, testing].map(entityCount)), before);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("a deleted provider record: verify reports it (exit ≠ 0), up repairs it", async () => {
    const provider = await findProvider(dev.instance.store.db, "Pipeline Production");
    await deleteProvider(dev.instance.store.db, provider!.sysId, "test");
    const verify = await cli(["pipeline", "verify", file]);
    assert.notEqual(verify.code, 0);
    assert.match(verify.stdout, /development: provider "Pipeline Production" is missing/);
    const up = await cli(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /regenerated\s+client secret of "Pipeline Controller Client"/);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("a provider record pointed at another client is drift, and up rewrites that record in place", async () => {
    const before = (await findProvider(testing.instance.store.db, "Pipeline Production"))!;
    await updateProvider(testing.instance.store.db, instanceSecretBox(testing.instance), before.sysId, { client_id: "someone-else" }, "test");
    const verify = await cli(["pipeline", "verify", file]);
    assert.notEqual(verify.code, 0);
    assert.match(verify.stdout, /test: provider "Pipeline Production" holds another client ID/);
    const up = await cli(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /test\s+updated\s+provider "Pipeline Production" → production/);
    const after = (await findProvider(testing.instance.store.db, "Pipeline Production"))!;
    assert.equal(after.sysId, before.sysId, "the same record, with its history");
    assert.equal(after.clientId, (await findClient(prod.instance.store.db, "Pipeline Controller Client"))!.clientId);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("a changed redirect URL is drift, and up puts it back", async () => {
    await updateClient(prod.instance.store.db, "Pipeline Controller Client", { redirect_url: [`${prod.base}/oauth_redirect.do`] }, "test");
    const verify = await cli(["pipeline", "verify", file]);
    assert.notEqual(verify.code, 0);
    assert.match(verify.stdout, /redirect URLs/);
    const up = await cli(["pipeline", "up", file]);
    assert.match(up.stdout, /updated\s+redirect URLs of "Pipeline Controller Client"/);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("an endpoint deactivated by hand is drift, and up activates it again rather than giving it new secrets", async () => {
    await updateClient(dev.instance.store.db, "Pipeline Development Client", { active: false }, "test");
    const verify = await cli(["pipeline", "verify", file]);
    assert.notEqual(verify.code, 0);
    assert.match(verify.stdout, /drift: development: endpoint "Pipeline Development Client" is inactive/);
    const up = await cli(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /development\s+updated\s+endpoint "Pipeline Development Client": active again/);
    assert.doesNotMatch(up.stdout, /regenerated/);
    assert.equal((await findClient(dev.instance.store.db, "Pipeline Development Client"))!.active, true);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("verify detects a revoked token without repairing it; status --json says which direction", async () => {
    const controller = await findClient(prod.instance.store.db, "Pipeline Controller Client");
    await prod.instance.store.db.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("client", "=", controller!.sysId).execute();
    const verify = await cli(["pipeline", "verify", file]);
    assert.notEqual(verify.code, 0);
    const status = await cli(["pipeline", "status", file, "--json"]);
    assert.equal(status.code, 0);
    const report = JSON.parse(status.stdout);
    assert.equal(report.ok, false);
    const broken = report.edges.filter((e: { status: string }) => e.status === "broken").map((e: { direction: string }) => e.direction).sort();
    assert.deepEqual(broken, ["development → production", "test → production"]);
    // Still broken: verify changed nothing.
    assert.notEqual((await cli(["pipeline", "verify", file])).code, 0);
    assert.equal((await cli(["pipeline", "up", file])).code, 0);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("a fourth instance joins: up on four instances", async () => {
    fs.writeFileSync(file, pipelineYaml(prod, [["development", dev, "DEV_PW"], ["test", testing, "TEST_PW"], ["staging", staging, "STAGING_PW"]]));
    const run = await cli(["pipeline", "up", file]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout.match(/ ok /g)?.length, 6);
    assert.match(run.stdout, /staging\s+created\s+endpoint "Pipeline Staging Client"/);
    const status = JSON.parse((await cli(["pipeline", "status", file, "--json"])).stdout);
    assert.equal(status.ok, true);
    assert.equal(status.edges.length, 6);
  });

  test("rotate: every endpoint gets a new secret, the other side follows, and no call fails meanwhile", async () => {
    const hashes = async () => Promise.all([prod, dev].map(async (i) => (await i.instance.store.db.selectFrom("oauth_entity").select("client_secret_hash").where("name", "like", "Pipeline % Client").execute()).map((r) => r.client_secret_hash).join()));
    const before = await hashes();
    const auth = `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`;
    const consumers = [prod, dev, testing, staging];
    const providerIds = await Promise.all(consumers.map(async (i) => (await i.instance.store.db.selectFrom("oauth_entity").select("sys_id").where("type", "=", "provider").execute()).map((r) => r.sys_id)));
    let rotating = true;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (rotating) {
        await Promise.all(consumers.flatMap((c, i) => providerIds[i]!.map(async (id) => {
          const res = await fetch(`${c.base}/api/portcullis/connections/${id}/call`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ method: "GET", path: "/api/now/v1/whoami" }) });
          const body = (await res.json()) as { result?: { status: number } };
          statuses.push(body.result?.status ?? res.status);
        })));
      }
    })();
    const run = await cli(["pipeline", "rotate", file]);
    rotating = false;
    await traffic;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout.match(/regenerated client secret/g)?.length, 4);
    assert.match(run.stdout, /^\d+ changes made\.\n\nEDGE /m, "a blank line before the table, as after up");
    assert.ok(statuses.length > 0);
    assert.deepEqual([...new Set(statuses)], [200], "a call failed during the rotation");
    const after = await hashes();
    assert.notEqual(after[0], before[0]);
    assert.notEqual(after[1], before[1]);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("token_user: the tokens an instance issues act as that user, which opens its Table API; a user it lacks is an error that changes nothing", async () => {
    const admin = { user: "admin", password: adminPassword };
    const devSide = portcullisAdminClient(dev.base, admin);
    const toProduction = (await devSide.findProvider("Pipeline Production"))!;
    assert.equal((await devSide.call(toProduction.sysId, "GET", "/api/now/table/incident?sysparm_limit=1")).status, 403, "a token that acts for no user");
    fs.writeFileSync(file, pipelineYaml(prod, [["development", dev, "DEV_PW"], ["test", testing, "TEST_PW"], ["staging", staging, "STAGING_PW"]]).replace("password_env: PROD_PW }", "password_env: PROD_PW }\n  token_user: svc_pipeline"));
    const before = await Promise.all([prod, dev].map(entityCount));
    const missing = await cli(["pipeline", "up", file]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /production has no active user "svc_pipeline" \(token_user in the pipeline file\)/);
    assert.deepEqual(await Promise.all([prod, dev].map(entityCount)), before);
    const unseen = await cli(["pipeline", "verify", file]);
    assert.equal(unseen.code, 1, "verify reports it as drift");
    assert.match(unseen.stdout, /production has no active user "svc_pipeline"/);

    await createUser(prod.instance.store.db, { userName: "svc_pipeline", name: "Pipeline service", passwordHash: await hashPassword("an unused password"), roles: [] }, "test");
    const up = await cli(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /production\s+updated\s+token user of "Pipeline Controller Client": svc_pipeline/);
    assert.equal(up.stdout.match(/token from production/g)?.length, 3, "each consumer gets a token that acts as the user");
    assert.equal((await devSide.call(toProduction.sysId, "GET", "/api/now/table/incident?sysparm_limit=1")).status, 200);
    assert.equal(((await devSide.call(toProduction.sysId, "GET", "/api/now/v1/whoami")).body as { result: { user_name: string } }).result.user_name, "svc_pipeline");
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);

    await updateClient(prod.instance.store.db, "Pipeline Controller Client", { client_credentials_user: null }, "test");
    const drifted = await cli(["pipeline", "verify", file]);
    assert.notEqual(drifted.code, 0);
    assert.match(drifted.stdout, /production: tokens of "Pipeline Controller Client" do not act as svc_pipeline/);
    assert.equal((await cli(["pipeline", "up", file])).code, 0);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);

    // The endpoint right but a token from before (here: fetched while it had no user): verify sees it, up fetches anew.
    await updateClient(prod.instance.store.db, "Pipeline Controller Client", { client_credentials_user: null }, "test");
    await devSide.getToken(toProduction.sysId);
    await updateClient(prod.instance.store.db, "Pipeline Controller Client", { client_credentials_user: "svc_pipeline" }, "test");
    const stale = await cli(["pipeline", "verify", file]);
    assert.notEqual(stale.code, 0);
    assert.match(stale.stdout, /development → production\s+broken\s.*the token acts as no user, not svc_pipeline/);
    const refreshed = await cli(["pipeline", "up", file]);
    assert.equal(refreshed.code, 0, refreshed.stdout + refreshed.stderr);
    assert.match(refreshed.stdout, /Tokens and calls:\n {2}\+ development\s+token\s+token from production/);
    assert.equal((await cli(["pipeline", "verify", file])).code, 0);
  });

  test("a pipeline file names env vars, not secrets; mistakes are exit 2 with the field", async () => {
    assert.throws(() => parsePipeline("production: { name: production, url: http://a, admin: { password_env: 'hunter2!' } }\ninstances: []"), /password_env|instances/);
    fs.writeFileSync(path.join(dir, "bad.yaml"), "production: { name: production, url: not-a-url }\n");
    const bad = await cli(["pipeline", "up", path.join(dir, "bad.yaml")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /production\.url/);
    // Every mistake is worded in the reader's language, zod's own rules too.
    fs.writeFileSync(path.join(dir, "worse.yaml"), "production: { name: production, url: not-a-url, admin: { user: admin }, password: x }\ninstances: []\n");
    const korean = await cli(["pipeline", "up", path.join(dir, "worse.yaml"), "--lang", "ko"]);
    assert.equal(korean.code, 2);
    assert.match(korean.stderr, /production\.url: 절대 http\(s\) URL이어야 합니다/);
    assert.match(korean.stderr, /production\.admin\.password_env: 필수 항목입니다/);
    assert.match(korean.stderr, /production: 여기서 설정할 수 없는 항목이 있습니다: password/);
    assert.match(korean.stderr, /instances: 항목이 1개 이상 있어야 합니다/);
    assert.doesNotMatch(korean.stderr, /Invalid|expected|Unrecognized|Too small/);
    const english = await cli(["pipeline", "up", path.join(dir, "worse.yaml")]);
    assert.match(english.stderr, /production\.admin\.password_env: is required/);
    const missingEnv = await main(["node", "portcullis", "pipeline", "verify", file], { out: () => {}, err: () => {} }, {});
    assert.equal(missingEnv, 2);
  });
});
