import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, test } from "node:test";
import { portcullisAdminClient, RemoteAdminError } from "../../src/pipeline/instance-admin-client.ts";
import { deleteClient } from "../../src/store/oauth-entity-store.ts";
import { deleteProvider, findProvider } from "../../src/store/provider-store.ts";
import { adminPassword } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText, upPipeline } from "../support/pipeline.ts";

describe("pipeline: records of an instance removed from the file, or renamed", () => {
  const pipeline = upPipeline({ dev: { entry: ["development", "DEV_PW"] }, testing: { entry: ["test", "TEST_PW"] } });

  test("a removed instance keeps working trust until a person removes it: verify says so and how, up says so too", async () => {
    const { file, prod, instances: { dev, testing } } = pipeline;
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"]]));
    const up = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const leftover = /drift: production: provider "Pipeline Test" \(to http:\/\/127\.0\.0\.1:\d+\/oauth_token\.do\) is not in the pipeline file .*portcullis provider delete.*pipeline rotate/;
    assert.match(up.stdout, leftover);
    const verify = await pipelineCLI(["pipeline", "verify", file]);
    assert.equal(verify.code, 1, "the removed instance can still call production");
    assert.match(verify.stdout, leftover);
    const status = JSON.parse((await pipelineCLI(["pipeline", "status", file, "--json"])).stdout);
    assert.equal(status.ok, false);
    assert.equal(status.drift.length, 1);

    // The procedure the drift line gives: delete the record, then rotate, which is not held back by it.
    const removed = portcullisAdminClient(testing.base, { user: "admin", password: adminPassword });
    const toProduction = (await removed.findProvider("Pipeline Production"))!;
    await deleteProvider(prod.instance.store.db, (await findProvider(prod.instance.store.db, "Pipeline Test"))!.sysId, "test");
    const rotate = await pipelineCLI(["pipeline", "rotate", file]);
    assert.equal(rotate.code, 0, rotate.stdout + rotate.stderr);
    await assert.rejects(removed.getToken(toProduction.sysId), (error: RemoteAdminError) => error.code === "invalid_client");
    assert.equal((await pipelineCLI(["pipeline", "verify", file])).code, 0);
  });

  test("a renamed instance: the endpoint named after its old name is reported on it", async () => {
    const { file, prod, instances: { dev } } = pipeline;
    fs.writeFileSync(file, pipelineFileText(prod, [["develop", dev, "DEV_PW"]]));
    const up = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /drift: develop: endpoint "Pipeline Development Client" is not in the pipeline file/);
    assert.match(up.stdout, /drift: production: provider "Pipeline Development" /);
    await deleteClient(dev.instance.store.db, "Pipeline Development Client", "test");
    await deleteProvider(prod.instance.store.db, (await findProvider(prod.instance.store.db, "Pipeline Development"))!.sysId, "test");
    assert.equal((await pipelineCLI(["pipeline", "verify", file])).code, 0);
  });
});
