import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText } from "../support/pipeline.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

/**
 * development as the command reaches it: the sign-in is passed on to the instance, and then the
 * address goes dark (connections dropped, new ones refused), as an instance stopped midway.
 */
async function answeringOnlyTheSignIn(target: TestInstance, port: number): Promise<http.Server> {
  const targetPort = Number(new URL(target.base).port);
  const front = http.createServer((request, response) => {
    const upstream = http.request({ host: "127.0.0.1", port: targetPort, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
      response.on("finish", () => {
        front.close();
        front.closeAllConnections();
      });
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(port, "127.0.0.1", resolve));
  return front;
}

describe("pipeline verify and status: an instance that fails after the sign-in", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let prod: TestInstance;
  let dev: TestInstance;
  let port: number;
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    [prod, dev] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite)]);
    port = await freePort();
    fs.writeFileSync(file, pipelineFileText(prod, [["development", `http://127.0.0.1:${port}`, "DEV_PW"]]));
  });
  after(async () => {
    await Promise.all([prod, dev].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("says nothing was changed and to run it again, not that a second run completes the rest, in English and Korean", async () => {
    for (const [command, lang, ending] of [
      ["verify", "en", "This command only reads, so nothing was changed: once development answers as it should, run it again"],
      ["status", "en", "This command only reads, so nothing was changed: once development answers as it should, run it again"],
      ["verify", "ko", "이 명령은 읽기만 하므로 바뀐 것은 없습니다. development이(가) 제대로 응답하면 다시 실행하세요"],
    ] as const) {
      const front = await answeringOnlyTheSignIn(dev, port);
      const run = await pipelineCLI(["pipeline", command, file, "--lang", lang]);
      front.close();
      front.closeAllConnections();
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const what = `${command} --lang ${lang}: ${run.stderr}`;
      assert.match(run.stderr, lang === "en" ? /^portcullis: development failed during the run: /m : /^portcullis: 실행 중에 development에서 실패했습니다: /m, what);
      assert.ok(run.stderr.trimEnd().endsWith(ending), what);
      assert.doesNotMatch(run.stderr, /completes the rest|나머지를 마칩니다/, what);
    }
  });
});
