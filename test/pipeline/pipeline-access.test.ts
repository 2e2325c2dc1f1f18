import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { createClient, deleteClient, findClient } from "../../src/store/oauth-entity-store.ts";
import { listProviders } from "../../src/store/provider-store.ts";
import { main } from "../../src/cli/main.ts";
import { adminPassword, freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { pipelineCLI, pipelineFileText, upPipeline } from "../support/pipeline.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";

/** What `up` could have changed on production: its endpoint's redirect URLs and secret, and its provider records. */
async function productionState(prod: TestInstance): Promise<string> {
  const db = prod.instance.store.db;
  const controller = await findClient(db, "Pipeline Controller Client");
  const secret = await db.selectFrom("oauth_entity").select("client_secret_hash").where("name", "=", "Pipeline Controller Client").executeTakeFirst();
  return JSON.stringify({ redirects: controller?.redirectUrls, secret, providers: (await listProviders(db)).map((p) => p.name).sort() });
}

describe("pipeline: every instance is signed in to before anything changes", () => {
  const pipeline = upPipeline({ dev: { entry: ["development", "DEV_PW"] }, secure: { settings: { https: true } } });

  test("an instance nothing answers at: exit 1 naming it and the cause, production untouched", async () => {
    const { file, prod, instances: { dev } } = pipeline;
    const closed = `http://127.0.0.1:${await freePort()}`;
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"], ["test", closed, "TEST_PW"]]));
    const before = await productionState(prod);
    for (const command of ["up", "rotate"]) {
      const run = await pipelineCLI(["pipeline", command, file]);
      assert.equal(run.code, 1, command);
      assert.match(run.stderr, /not every instance can be used, so nothing was changed:\n {2}test \(http:\/\/127\.0\.0\.1:\d+\) cannot be reached: .*ECONNREFUSED/, command);
      assert.doesNotMatch(run.stdout, /Records:/, command);
    }
    // verify changes nothing anyway: it checks what it can (pipeline-instance-down.test.ts).
    const verify = await pipelineCLI(["pipeline", "verify", file]);
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /^not every instance can be used, so the directions that need one are shown broken:\n {2}test \(http:\/\/127\.0\.0\.1:\d+\) cannot be reached: .*ECONNREFUSED/m);
    assert.match(verify.stdout, /test → production\s+broken\s+-\s+instance test at http:\/\/127\.0\.0\.1:\d+ is unreachable: .*ECONNREFUSED/);
    assert.equal(await productionState(prod), before, "the new instance's redirect URL was not added to production's endpoint");
  });

  test("an instance whose answer never ends, or outgrows any admin answer, is named, not read without end", async () => {
    const { file, prod, instances: { dev } } = pipeline;
    // Headers, then 1 MiB chunks: too much for an admin answer (16 MiB), and it would go on.
    const endless = http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024 * 1024, " ");
      let sent = 0;
      const write = () => {
        while (sent < 64 && !response.destroyed) {
          sent += 1;
          if (!response.write(chunk)) return void response.once("drain", write);
        }
        response.end("{}");
      };
      write();
    });
    await new Promise<void>((resolve) => endless.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
      fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"], ["test", url, "TEST_PW"]]));
      const run = await pipelineCLI(["pipeline", "verify", file]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /test \(http:\/\/127\.0\.0\.1:\d+\).*the answer is larger than 16384 KiB/);
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((resolve) => endless.close(() => resolve()));
    }
  });

  test("wrong admin credentials for one instance: named with the variable to check, nothing changed", async () => {
    const { file, prod, instances: { dev, secure } } = pipeline;
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"], ["test", secure, "TEST_PW"]]));
    const before = await productionState(prod);
    const run = await pipelineCLI(["pipeline", "up", file], { DEV_PW: "not the password" });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /development \(http:\/\/127\.0\.0\.1:\d+\) refused the admin sign-in as admin: check the user and the password in DEV_PW/);
    // Every instance that cannot be used is named at once, not one per run.
    assert.match(run.stderr, /test \(https:\/\/localhost:\d+\) serves a TLS certificate this command does not trust \(.+\): pass the CA that issued it with --ca-file/);
    assert.equal(await productionState(prod), before);
    const korean = await pipelineCLI(["pipeline", "up", file, "--lang", "ko"], { DEV_PW: "not the password" });
    assert.match(korean.stderr, /쓸 수 없는 인스턴스가 있어 아무것도 바꾸지 않았습니다:\n {2}development\(http:\/\/127\.0\.0\.1:\d+\)이\(가\) admin\(으\)로 한 관리자 로그인을 거부했습니다/);
    // verify names them too, above the directions it could check.
    const verify = await pipelineCLI(["pipeline", "verify", file, "--lang", "ko"], { DEV_PW: "not the password" });
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /^쓸 수 없는 인스턴스가 있어, 그 인스턴스가 필요한 방향은 끊김으로 표시합니다:\n {2}development\(http:\/\/127\.0\.0\.1:\d+\)이\(가\) admin\(으\)로 한 관리자 로그인을 거부했습니다. 사용자와 DEV_PW의 비밀번호를 확인하세요$/m);
    assert.match(verify.stdout, /development → production\s+끊김\s+-\s+인스턴스 development\(http:\/\/127\.0\.0\.1:\d+\)에 로그인할 수 없습니다: GET .+: 401 User Not Authenticated/);
  });

  test("a certificate refused at the sign-in with a --ca-file given: the cure is to add its CA to that file, in English and Korean", async () => {
    const { dir, file, prod, instances: { dev, secure } } = pipeline;
    // A real CA that did not issue the instance's development certificate: the file is read, and does not hold the CA needed.
    const otherCa = path.join(dir, "other-ca.pem");
    fs.writeFileSync(otherCa, `${tls.rootCertificates[0]}\n`);
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"], ["test", secure, "TEST_PW"]]));
    const before = await productionState(prod);
    const run = await pipelineCLI(["pipeline", "up", file, "--ca-file", otherCa]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.ok(run.stderr.includes(`  test (${secure.base}) serves a TLS certificate this command does not trust (`), run.stderr);
    assert.ok(run.stderr.includes(`): add the CA that issued it to ${otherCa}, the file --ca-file names (for a development CA, that instance's DATA/tls/ca.pem; join several with cat)`), run.stderr);
    assert.doesNotMatch(run.stderr, /pass the CA that issued it with --ca-file/);
    assert.equal(await productionState(prod), before);
    const korean = await pipelineCLI(["pipeline", "verify", file, "--ca-file", otherCa, "--lang", "ko"]);
    assert.equal(korean.code, 1);
    assert.ok(korean.stdout.includes(`발급한 CA를 --ca-file로 넘긴 ${otherCa}에 추가하세요(개발용 CA라면 그 인스턴스의 DATA/tls/ca.pem, 여러 개는 cat으로 이어 붙이세요)`), korean.stderr);
    assert.doesNotMatch(korean.stdout, /발급한 CA를 --ca-file로 넘기세요/);
  });
});

test("a --ca-file that cannot be used is refused with its name, before any instance is asked", async () => {
  const dir = tempDir();
  const glued = path.join(dir, "glued.pem");
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  fs.writeFileSync(glued, pem + pem);
  fs.writeFileSync(path.join(dir, "p.yaml"), "production: { name: production, url: https://prod.invalid, admin: { password_env: PROD_PW } }\ninstances: [ { name: dev, url: https://dev.invalid, admin: { password_env: DEV_PW } } ]\n");
  for (const [file, reason] of [[glued, /not PEM certificates \(two joined without a line break between them\?\)/], [path.join(dir, "missing.pem"), /ENOENT/]] as const) {
    const run = await pipelineCLI(["pipeline", "verify", path.join(dir, "p.yaml"), "--ca-file", file]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`--ca-file: cannot use ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
    assert.match(run.stderr, reason);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("pipeline up: a peer the instances cannot reach is not a reason for new secrets", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  const bundle = path.join(dir, "ca-bundle.pem");
  let prod: TestInstance;
  let dev: TestInstance;
  let testing: TestInstance;
  const sqlite = dialectsUnderTest()[0]!;
  const secretHashes = async () => Promise.all([prod, dev, testing].map(async (i) => (await i.instance.store.db.selectFrom("oauth_entity").select("client_secret_hash").where("type", "=", "client").execute()).map((r) => r.client_secret_hash).join()));
  before(async () => {
    // Each serves its own development CA, which this command is given and the instances are not (no PORTCULLIS_TRUST_CA):
    // every token request one instance makes to another fails its TLS handshake.
    [prod, dev, testing] = await Promise.all([startTestInstance(sqlite, { https: true }), startTestInstance(sqlite, { https: true }), startTestInstance(sqlite, { https: true })]);
    fs.writeFileSync(bundle, [prod, dev, testing].map((i) => fs.readFileSync(path.join(i.instance.config.dataDir, "tls", "ca.pem"), "utf8")).join("\n"));
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"], ["test", testing, "TEST_PW"]]));
  });
  after(async () => {
    await Promise.all([prod, dev, testing].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the records are made once, no secret is regenerated, and the edges say why they are broken", async () => {
    const first = await pipelineCLI(["pipeline", "up", file, "--ca-file", bundle]);
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stdout, /production\s+created\s+endpoint "Pipeline Controller Client"/);
    assert.doesNotMatch(first.stdout, /regenerated/);
    // Each names the step that failed (the token request, not the call it never got to) and what the
    // instance needs to trust the other's CA, by the file's names: the cure, not the handshake's complaint alone.
    for (const [from, to] of [["development", "production"], ["production", "development"], ["test", "production"], ["production", "test"]]) {
      const reason = `getting a token from ${to} failed: ${from} does not trust the certificate of ${to} (https://localhost:\\d+: unable to verify the first certificate): restart ${from} with PORTCULLIS_TRUST_CA set to a PEM file holding the CA that issued it (for a development CA, ${to}'s DATA/tls/ca.pem; join several with cat), then run pipeline up again$`;
      assert.match(first.stdout, new RegExp(`${from} → ${to}\\s+broken\\s+-\\s+${reason.replace(/[()]/g, "\\$&")}`, "m"), first.stdout);
    }
    // Advice for a shell the pipeline's instances do not run in, and a call that was never made, are not named.
    assert.doesNotMatch(first.stdout, /provider commands run from a shell|whoami|\{"error"/);
    const hashes = await secretHashes();
    const again = await pipelineCLI(["pipeline", "up", file, "--ca-file", bundle]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /Nothing changed/);
    assert.deepEqual(await secretHashes(), hashes, "production's secret stays what the others hold");
    // In Korean the edges' cause is Korean too, not the admin client's English inside a Korean table.
    const korean = await pipelineCLI(["pipeline", "up", file, "--ca-file", bundle], { LANG: "ko_KR.UTF-8" });
    assert.equal(korean.stdout.match(/에서 토큰을 받지 못했습니다: \S+이\(가\) \S+\(https:\/\/localhost:\d+\)의 인증서를 신뢰하지 않습니다\(.+\)\. 그 인증서를 발급한 CA가 든 PEM 파일을 PORTCULLIS_TRUST_CA로 지정해/g)?.length, 4, korean.stdout);
    assert.doesNotMatch(korean.stdout, /cannot reach|does not trust|getting a token/);
  });
});

describe("pipeline up: an instance that fails after the sign-in", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let prod: TestInstance;
  let dev: TestInstance;
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    [prod, dev] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite)]);
    fs.writeFileSync(file, pipelineFileText(prod, [["development", dev, "DEV_PW"]]));
  });
  after(async () => {
    await Promise.all([prod, dev].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("is named as the file names it, and a second run completes what the first began", async () => {
    // An endpoint holding the name the provider record needs: development refuses that record midway.
    await createClient(dev.instance.store.db, parseClientCreate({ name: "Pipeline Production", redirect_url: "https://app.example/cb" }), "test");
    const first = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(first.code, 1);
    assert.match(first.stdout, /production\s+created\s+endpoint "Pipeline Controller Client"/);
    assert.match(first.stderr, /^portcullis: development failed during the run: POST http:\/\/127\.0\.0\.1:\d+\/api\/portcullis\/registry\/providers: 400 .*once that is put right, run the command again and it completes the rest/m);
    await deleteClient(dev.instance.store.db, "Pipeline Production", "test");
    const second = await pipelineCLI(["pipeline", "up", file]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal((await pipelineCLI(["pipeline", "verify", file])).code, 0);
  });
});

describe("pipeline up: an instance whose TLS certificate this command stops trusting after the sign-in", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  const devCa = path.join(dir, "dev-ca.pem");
  let prod: TestInstance;
  let dev: TestInstance;
  let restarted: TestInstance;
  let proxy: TcpProxy;
  const sqlite = dialectsUnderTest()[0]!;
  before(async () => {
    // development is reached through a proxy that, once the run has signed in everywhere, forwards to
    // an instance serving another development CA: as if development restarted with a new one midway.
    [prod, dev, restarted] = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite, { https: true }), startTestInstance(sqlite, { https: true })]);
    proxy = new TcpProxy("127.0.0.1", Number(new URL(dev.base).port));
    await proxy.start();
    fs.copyFileSync(path.join(dev.instance.config.dataDir, "tls", "ca.pem"), devCa);
    fs.writeFileSync(file, pipelineFileText(prod, [["development", `https://localhost:${proxy.port}`, "DEV_PW"]]));
  });
  after(async () => {
    await proxy?.stop();
    await Promise.all([prod, dev, restarted].map((s) => s?.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** pipeline up, development switched to the other certificate as the Records heading is printed (after every sign-in, before any change). */
  async function upSwitchingMidway(lang: string): Promise<{ code: number; stdout: string; stderr: string }> {
    proxy.retarget("127.0.0.1", Number(new URL(dev.base).port));
    let stdout = "";
    let stderr = "";
    const out = (line: string) => {
      if (stdout === "") proxy.retarget("127.0.0.1", Number(new URL(restarted.base).port));
      stdout += `${line}\n`;
    };
    const code = await main(["node", "portcullis", "pipeline", "up", file, "--ca-file", devCa, "--lang", lang], { out, err: (s) => void (stderr += `${s}\n`) }, { PROD_PW: adminPassword, DEV_PW: adminPassword });
    return { code, stdout, stderr };
  }

  test("is named, with the CA file to add its CA to, in English and Korean; what was done stays", async () => {
    const run = await upSwitchingMidway("en");
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^Records:\n {2}\+ production\s+created\s+endpoint "Pipeline Controller Client"/m, "it failed midway, after a change");
    const url = `https://localhost:${proxy.port}`;
    assert.ok(
      run.stderr.includes(`portcullis: development (${url}) answered during the run with a TLS certificate this command does not trust (`) &&
        run.stderr.includes(`): add the CA that issued it to ${devCa}, the file --ca-file names (for a development CA, that instance's DATA/tls/ca.pem; join several with cat). What was done before stays: run the command again with it and it completes the rest`),
      run.stderr,
    );
    const korean = await upSwitchingMidway("ko");
    assert.equal(korean.code, 1);
    assert.ok(korean.stderr.includes(`실행 중에 development(${url})이(가) 이 명령이 신뢰하지 않는 TLS 인증서로 응답했습니다(`), korean.stderr);
    assert.ok(korean.stderr.includes(`발급한 CA를 --ca-file로 넘긴 ${devCa}에 추가하세요`), korean.stderr);
  });
});
