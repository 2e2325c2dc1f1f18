import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pipelineGraph } from "../../src/http/admin/pipeline-graph.ts";
import { worded } from "../../src/i18n/stored-text.ts";
import { translator } from "../../src/i18n/translator.ts";
import { findClient } from "../../src/store/oauth-entity-store.ts";
import { latestPipelineRun } from "../../src/store/pipeline-run-store.ts";
import { pipelineCLI, upPipeline } from "../support/pipeline.ts";

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("pipeline verify and status: what the far side said, and an instance that is down", () => {
  const pipeline = upPipeline({ dev: { entry: ["development", "DEV_PW"] }, testing: { entry: ["test", "TEST_PW"] } });

  test("a token the far side refuses: its status and its error message, not its JSON, framed in the reader's language", async () => {
    const { file, prod } = pipeline;
    const controller = await findClient(prod.instance.store.db, "Pipeline Controller Client");
    await prod.instance.store.db.updateTable("oauth_credential").set({ revoked_at: Date.now() }).where("client", "=", controller!.sysId).execute();
    const english = await pipelineCLI(["pipeline", "verify", file]);
    assert.equal(english.code, 1);
    assert.match(english.stdout, /development → production\s+broken\s.*GET \/api\/now\/v1\/whoami answered 401: User Not Authenticated \(invalid_token: .+\)$/m);
    assert.doesNotMatch(english.stdout, /\{"error"/);
    const korean = await pipelineCLI(["pipeline", "verify", file, "--lang", "ko"]);
    assert.match(korean.stdout, /development → production\s+끊김\s.*GET \/api\/now\/v1\/whoami의 응답 401: User Not Authenticated/m);
    assert.equal((await pipelineCLI(["pipeline", "up", file])).code, 0);
  });

  test("one instance down: every direction is shown, those that need it broken with its cause; the run is left where it can be; exit 1", async () => {
    const { file, prod, instances: { dev, testing } } = pipeline;
    await testing.close();
    const url = escaped(testing.base);
    const verify = await pipelineCLI(["pipeline", "verify", file]);
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`^not every instance can be used, so the directions that need one are shown broken:\\n {2}test \\(${url}\\) cannot be reached: .*ECONNREFUSED`, "m"));
    assert.equal(verify.stdout.match(/^production ⇄ development .* ok .*GET \/api\/now\/v1\/whoami 200$/gm)?.length, 2, verify.stdout);
    for (const direction of ["test → production", "production → test"]) {
      assert.match(verify.stdout, new RegExp(`^production ⇄ test\\s+${direction}\\s+broken\\s.*instance test at ${url} is unreachable: .*ECONNREFUSED`, "m"), direction);
    }
    assert.match(verify.stderr, /^portcullis: 1 instance could not be used, 0 drifts, 2 broken directions$/m);
    assert.doesNotMatch(verify.stderr + verify.stdout, /nothing was changed/);

    // The instances that are up keep the run, so their Pipeline page no longer says every edge worked.
    for (const instance of [prod, dev]) {
      const run = (await latestPipelineRun(instance.instance.store.db))!.report;
      assert.deepEqual([run.kind, run.ok], ["verify", false]);
      assert.deepEqual(run.edges.filter((e) => e.status === "broken").map((e) => `${e.from}→${e.to}`).sort(), ["production→test", "test→production"]);
    }
    const graph = await pipelineGraph(prod.instance);
    assert.equal(graph.run?.ok, false);
    const testKey = graph.nodes.find((n) => n.name === "test")!.key;
    const toTest = graph.edges.find((e) => e.to === testKey)!;
    assert.equal(toTest.health, "unhealthy", "the run that saw it down wins over the token production still holds");
    assert.match(worded(toTest.reason!, translator("ko").t), new RegExp(`^인스턴스 test\\(${url}\\)에 연결할 수 없습니다: .*ECONNREFUSED`));

    const korean = await pipelineCLI(["pipeline", "verify", file, "--lang", "ko"]);
    assert.equal(korean.code, 1);
    assert.match(korean.stdout, new RegExp(`^쓸 수 없는 인스턴스가 있어, 그 인스턴스가 필요한 방향은 끊김으로 표시합니다:\\n {2}test\\(${url}\\)에 연결할 수 없습니다`, "m"));
    assert.match(korean.stdout, /^production ⇄ test\s+test → production\s+끊김\s.*인스턴스 test\(.+\)에 연결할 수 없습니다/m);
    assert.match(korean.stderr, /쓸 수 없는 인스턴스 1개, 드리프트 0건, 끊긴 방향 2개/);

    const status = await pipelineCLI(["pipeline", "status", file]);
    assert.equal(status.code, 1);
    assert.equal(status.stdout.match(/^production ⇄ .*→/gm)?.length, 4, status.stdout);
    assert.match(status.stderr, /1 instance could not be used: the directions that need one are broken/);
    assert.equal((await latestPipelineRun(prod.instance.store.db))!.report.kind, "status");
    const json = await pipelineCLI(["pipeline", "status", file, "--json", "--lang", "ko"]);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, false);
    assert.match(report.unusable[0], /^test \(.+\) cannot be reached: /);
    assert.match(report.edges.find((e: { direction: string }) => e.direction === "test → production").detail, /^instance test at .+ is unreachable: /);

    // up changes things: it still refuses to start.
    const up = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(up.code, 1);
    assert.match(up.stderr, /not every instance can be used, so nothing was changed:\n {2}test \(.+\) cannot be reached/);
    assert.doesNotMatch(up.stdout, /Records:|EDGE/);
  });
});
