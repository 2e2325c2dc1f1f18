import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText } from "../support/pipeline.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { operatorCertificate } from "../support/tls.ts";

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

/**
 * development over TLS as the command reaches it: the sign-in is answered with a certificate the
 * command trusts and ends its connection; every connection after it gets another CA's
 * certificate, as an instance restarted midway with a new development CA.
 */
async function swappingCertificateAfterTheSignIn(target: TestInstance, dir: string): Promise<{ front: https.Server; url: string; caFile: string }> {
  const [trusted, other] = await Promise.all([operatorCertificate(path.join(dir, "trusted"), { names: ["localhost"] }), operatorCertificate(path.join(dir, "other"), { names: ["localhost"] })]);
  const caFile = path.join(dir, "trusted-ca.pem");
  fs.writeFileSync(caFile, trusted.caPem);
  const identity = (pair: typeof trusted.pair) => ({ key: pair.privateKey, cert: pair.certificate });
  const targetPort = Number(new URL(target.base).port);
  const front = https.createServer(identity(trusted.pair), (request, response) => {
    const upstream = http.request({ host: "127.0.0.1", port: targetPort, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      front.setSecureContext(identity(other.pair));
      // Not kept alive: the command's next request opens a connection, which meets the other certificate.
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, connection: "close" });
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  return { front, url: `https://localhost:${(front.address() as AddressInfo).port}`, caFile };
}

describe("pipeline verify and status: an instance whose TLS certificate this command stops trusting after the sign-in", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let prod: TestInstance;
  let dev: TestInstance;
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    [prod, dev] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite)]);
  });
  after(async () => {
    await Promise.all([prod, dev].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("names the certificate's cure and ends saying nothing was changed, not that a second run completes the rest, in English and Korean", async () => {
    for (const [command, lang, ending] of [
      ["verify", "en", "This command only reads, so nothing was changed: run it again with it"],
      ["status", "en", "This command only reads, so nothing was changed: run it again with it"],
      ["status", "ko", "이 명령은 읽기만 하므로 바뀐 것은 없습니다. 그렇게 한 뒤 명령을 다시 실행하세요"],
    ] as const) {
      const { front, url, caFile } = await swappingCertificateAfterTheSignIn(dev, fs.mkdtempSync(path.join(dir, "tls-")));
      fs.writeFileSync(file, pipelineFileText(prod, [["development", url, "DEV_PW"]]));
      const run = await pipelineCLI(["pipeline", command, file, "--ca-file", caFile, "--lang", lang]);
      front.closeAllConnections();
      front.close();
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const what = `${command} --lang ${lang}: ${run.stderr}`;
      const named = lang === "en" ? `portcullis: development (${url}) answered during the run with a TLS certificate this command does not trust (` : `portcullis: 실행 중에 development(${url})이(가) 이 명령이 신뢰하지 않는 TLS 인증서로 응답했습니다(`;
      assert.ok(run.stderr.includes(named), what);
      assert.ok(run.stderr.includes(lang === "en" ? `add the CA that issued it to ${caFile}, the file --ca-file names` : `발급한 CA를 --ca-file로 넘긴 ${caFile}에 추가하세요`), what);
      assert.ok(run.stderr.trimEnd().endsWith(ending), what);
      assert.doesNotMatch(run.stderr, /What was done before stays|completes the rest|그전에 한 작업은 남아 있습니다|나머지를 마칩니다/, what);
    }
  });
});
