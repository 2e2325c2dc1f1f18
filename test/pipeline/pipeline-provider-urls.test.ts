import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { portcullisAdminClient } from "../../src/pipeline/instance-admin-client.ts";
import { parsePipeline } from "../../src/pipeline/pipeline-file.ts";
import { applyEndpoint, type Clients, endpointSpecs } from "../../src/pipeline/pipeline-plan.ts";
import { findClient } from "../../src/store/oauth-entity-store.ts";
import { findProvider } from "../../src/store/provider-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText } from "../support/pipeline.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

/**
 * A provider record's token URL on another server needs its secret in the same edit, and http
 * beyond loopback needs the record's allow_http: `up` meets both when it rewrites the records.
 */
describe("pipeline up and the provider records' URLs", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let prod: TestInstance;
  let dev: TestInstance;
  before(async () => {
    const sqlite = dialectsUnderTest()[0]!;
    [prod, dev] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite)]);
  });
  after(async () => {
    await Promise.all([prod, dev].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an instance reached at another origin: up moves the provider records there in place, with the secret, and the edges work", async () => {
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"]]));
    const first = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const before = (await findProvider(prod.instance.store.db, "Pipeline Development"))!;

    const moved = dev.base.replace("127.0.0.1", "localhost");
    assert.notEqual(new URL(moved).origin, new URL(dev.base).origin);
    fs.writeFileSync(file, pipelineFileText(prod, [["development", moved, "DEV_PW"]]));
    const again = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /production\s+updated\s+provider "Pipeline Development" → development/);
    assert.equal(again.stdout.match(/ ok /g)?.length, 2);
    const after = (await findProvider(prod.instance.store.db, "Pipeline Development"))!;
    assert.deepEqual([after.sysId, after.tokenUrl], [before.sysId, `${moved}/oauth_token.do`], "the same record, now at the new origin");
  });

  test("a host the file names over http on another machine: its endpoint allows http redirects and the provider records allow http URLs", async () => {
    const remote = "http://dev.internal.example:8080";
    const pipeline = parsePipeline(pipelineFileText(prod, [["remote", remote, "DEV_PW"]]));
    // The records name the URL the file gives; the admin calls reach the instance where it listens.
    const clients: Clients = new Map([
      ["production", portcullisAdminClient(prod.base, { user: "admin", password: adminPassword })],
      ["remote", portcullisAdminClient(dev.base, { user: "admin", password: adminPassword })],
    ]);
    const spec = endpointSpecs(pipeline).find((s) => s.host.name === "remote")!;
    await applyEndpoint(spec, clients, () => {}, { forceNewSecret: true });
    const provider = (await findProvider(prod.instance.store.db, "Pipeline Remote"))!;
    assert.deepEqual([provider.tokenUrl, provider.revocationUrl, provider.allowHttp], [`${remote}/oauth_token.do`, `${remote}/oauth_revoke_token.do`, true]);
    assert.equal((await findClient(dev.instance.store.db, "Pipeline Remote Client"))!.allowHttpRedirect, true);
  });

  test("an existing endpoint whose consumer moves to http on another machine: up changes its redirect URLs and allows http redirects", async () => {
    const clients: Clients = new Map([
      ["production", portcullisAdminClient(prod.base, { user: "admin", password: adminPassword })],
      ["moving", portcullisAdminClient(dev.base, { user: "admin", password: adminPassword })],
    ]);
    const controller = (target: string) => endpointSpecs(parsePipeline(pipelineFileText(prod, [["moving", target, "DEV_PW"]]))).find((s) => s.host.name === "production")!;
    await applyEndpoint(controller(dev.base), clients, () => {}, { forceNewSecret: true });
    const remote = "http://moving.internal.example:8080";
    const steps: string[] = [];
    await applyEndpoint(controller(remote), clients, (step) => steps.push(`${step.action} ${step.subject.kind}`));
    assert.ok(steps.includes("updated redirects"), steps.join("\n"));
    const endpoint = (await findClient(prod.instance.store.db, "Pipeline Controller Client"))!;
    assert.ok(endpoint.redirectUrls.includes(`${remote}/oauth_redirect.do`), endpoint.redirectUrls.join(", "));
    assert.equal(endpoint.allowHttpRedirect, true);
  });
});
