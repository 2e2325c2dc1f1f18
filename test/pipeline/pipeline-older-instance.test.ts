import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { latestPipelineRun } from "../../src/store/pipeline-run-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText } from "../support/pipeline.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

/**
 * The answer of a version whose run-recording endpoint knew only up, verify and rotate, word for
 * word: its zod enum's message for `kind`, in the admin APIs' Table API envelope (read from that
 * version's server, sent a status run).
 */
const olderKinds = ["up", "verify", "rotate"];
const olderRefusal = 'kind: Invalid option: expected one of "up"|"verify"|"rotate"';

/**
 * development as an older version: every request passed on to a real instance, except a run
 * whose kind that version did not know, refused as it refused it (400, nothing stored).
 */
async function olderVersionOf(target: TestInstance): Promise<http.Server> {
  const targetPort = Number(new URL(target.base).port);
  const front = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.method === "POST" && request.url === "/api/portcullis/pipeline/runs" && !olderKinds.includes(JSON.parse(body.toString("utf8")).kind)) {
      response.writeHead(400, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      return void response.end(JSON.stringify({ error: { message: olderRefusal, detail: `invalid_request: ${olderRefusal}` }, status: "failure" }));
    }
    const upstream = http.request({ host: "127.0.0.1", port: targetPort, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.end(body);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  return front;
}

describe("pipeline status: an instance too old to record a status run", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let prod: TestInstance;
  let dev: TestInstance;
  let front: http.Server;
  let url: string;
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    [prod, dev] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite)]);
    front = await olderVersionOf(dev);
    url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    fs.writeFileSync(file, pipelineFileText(prod, [["development", url, "DEV_PW"]]));
    const up = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(up.code, 0, up.stdout + up.stderr);
  });
  after(async () => {
    front?.closeAllConnections();
    await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
    await Promise.all([prod, dev].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("is named in one line, in English and Korean, and the exit code is the run's", async () => {
    const line = `development (${url}) did not record this status run: its Portcullis version is older and does not record status runs, so its Pipeline page still shows an earlier run`;
    const english = await pipelineCLI(["pipeline", "status", file]);
    assert.equal(english.code, 0, english.stdout + english.stderr);
    assert.match(english.stdout, /Every edge works in both directions\./);
    assert.equal(english.stderr.split("\n").filter((l) => l === line).length, 1, english.stderr);
    assert.doesNotMatch(english.stderr, /production \(/, "production took the run");
    assert.equal((await latestPipelineRun(prod.instance.store.db))!.report.kind, "status");
    assert.equal((await latestPipelineRun(dev.instance.store.db))!.report.kind, "up", "development kept the run before");

    const korean = await pipelineCLI(["pipeline", "status", file, "--lang", "ko"]);
    assert.equal(korean.code, 0);
    assert.ok(korean.stderr.includes(`development(${url})에는 이번 status 실행이 기록되지 않았습니다. 그 인스턴스의 Portcullis는 status 실행을 기록하지 않는 이전 버전이라`), korean.stderr);

    // --json keeps stdout to its JSON: the line is on stderr.
    const json = await pipelineCLI(["pipeline", "status", file, "--json"]);
    assert.equal(json.code, 0);
    assert.equal(JSON.parse(json.stdout).ok, true);
    assert.ok(json.stderr.includes(line), json.stderr);

    // A run of a kind it knows is recorded there, and nothing is said.
    const verify = await pipelineCLI(["pipeline", "verify", file]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.doesNotMatch(verify.stderr, /did not record/);
    assert.equal((await latestPipelineRun(dev.instance.store.db))!.report.kind, "verify");
  });
});
