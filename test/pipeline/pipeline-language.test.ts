import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import stringWidth from "string-width";
import { main } from "../../src/cli/main.ts";
import { pipelineGraph } from "../../src/http/admin/pipeline-graph.ts";
import { worded } from "../../src/i18n/stored-text.ts";
import { translator } from "../../src/i18n/translator.ts";
import { latestPipelineRun } from "../../src/store/pipeline-run-store.ts";
import { deleteProvider, findProvider } from "../../src/store/provider-store.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

async function cli(args: string[], locale: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const env = { PROD_PW: adminPassword, DEV_PW: adminPassword, TEST_PW: adminPassword, ...locale };
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, env);
  return { code, stdout, stderr };
}

/** The trust table: its heading line, the rule under it, and the rows after it. */
function trustTable(stdout: string) {
  const lines = stdout.split("\n");
  const rule = lines.findIndex((line) => /^-+(  -+){4}$/.test(line));
  assert.ok(rule > 0, `no table in:\n${stdout}`);
  return { heading: lines[rule - 1]!, rule: lines[rule]!, rows: lines.slice(rule + 1).filter((line) => line.includes("→")) };
}

/** Where each column starts, in terminal cells: the rule's dashes mark the columns. */
function columnStarts(rule: string): number[] {
  return [...rule.matchAll(/-+/g)].map((m) => m.index!);
}

describe("pipeline output in Korean and English", () => {
  const dir = tempDir();
  const file = path.join(dir, "pipeline.yaml");
  let instances: TestInstance[] = [];
  before(async () => {
    const sqlite = dialectsUnderTest()[0]!;
    instances = await Promise.all([startTestInstance(sqlite), startTestInstance(sqlite), startTestInstance(sqlite)]);
    const [prod, dev, testing] = instances as [TestInstance, TestInstance, TestInstance];
    fs.writeFileSync(
      file,
      [
        `production: { name: production, url: ${prod.base}, admin: { user: admin, password_env: PROD_PW } }`,
        "instances:",
        `  - { name: development, url: ${dev.base}, admin: { user: admin, password_env: DEV_PW } }`,
        `  - { name: test, url: ${testing.base}, admin: { user: admin, password_env: TEST_PW } }`,
      ].join("\n"),
    );
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("up --lang ko: progress lines, the count of changes and the trust table in Korean, columns aligned in terminal cells", async () => {
    const run = await cli(["pipeline", "up", file, "--lang", "ko"], { LANG: "en_US.UTF-8" });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^레코드:$/m);
    assert.match(run.stdout, /^ {2}\+ production\s+생성함\s+엔드포인트 "Pipeline Controller Client"$/m);
    assert.match(run.stdout, /^ {2}\+ production\s+생성함\s+공급자 "Pipeline Test" → test$/m);
    assert.match(run.stdout, /^토큰과 호출:$/m);
    assert.match(run.stdout, /^ {2}\+ development\s+토큰\s+production에서 받은 토큰 \(client_credentials\)$/m);
    // 3 endpoints, 4 provider records, 4 tokens: Korean counts without a plural form.
    assert.match(run.stdout, /^11건을 변경했습니다\.$/m);
    assert.doesNotMatch(run.stdout, /created|changes made|Records:/);

    // Progress columns line up in cells although "생성함" is 3 characters but 6 cells wide.
    const created = run.stdout.split("\n").filter((line) => line.includes("생성함"));
    assert.equal(new Set(created.map((line) => stringWidth(line.slice(0, line.indexOf("생성함") + 3)))).size, 1);

    const table = trustTable(run.stdout);
    assert.match(table.heading, /^연결\s+방향\s+상태\s+토큰 만료\s+세부 정보$/);
    assert.equal(table.rows.length, 4);
    const starts = columnStarts(table.rule);
    for (const [index, heading] of ["연결", "방향", "상태", "토큰 만료", "세부 정보"].entries()) {
      assert.equal(stringWidth(table.heading.slice(0, table.heading.indexOf(heading))), starts[index], `heading ${heading} starts at its column`);
    }
    for (const row of table.rows) {
      assert.equal(stringWidth(row.slice(0, row.indexOf("정상"))), starts[2], `status under its heading: ${row}`);
      assert.match(row, /GET \/api\/now\/v1\/whoami 200$/);
    }
    // Dates through Intl in the Korean manner ("2026. 3. 12. 8:05:09 UTC").
    assert.match(table.rows[0]!, /\d{4}\. \d{1,2}\. \d{1,2}\. \d{1,2}:\d{2}:\d{2} UTC/);
  });

  test("up --lang en on the same pipeline: English lines and headings; LANG=ko_KR picks Korean without the flag", async () => {
    const english = await cli(["pipeline", "up", file, "--lang", "en"], { LANG: "ko_KR.UTF-8" });
    assert.equal(english.code, 0, english.stdout + english.stderr);
    assert.match(english.stdout, /^Records:$/m);
    assert.match(english.stdout, /^ {2}· production\s+unchanged\s+endpoint "Pipeline Controller Client"$/m);
    assert.match(english.stdout, /^Nothing changed: every record and token was already as planned\.$/m);
    const table = trustTable(english.stdout);
    assert.match(table.heading, /^EDGE\s+DIRECTION\s+STATUS\s+TOKEN EXPIRES\s+DETAIL$/);
    assert.ok(table.rows.every((row) => / ok /.test(row)));
    assert.match(table.rows[0]!, /[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2}:\d{2} UTC/);
    assert.doesNotMatch(english.stdout, /[가-힣]/);
    // Every direction left on the instances says whether its token renews itself (client_credentials does).
    const recorded = (await latestPipelineRun(instances[1]!.instance.store.db))!.report.edges;
    assert.ok(recorded.length > 0 && recorded.every((e) => e.token_renewable === true), JSON.stringify(recorded));

    const korean = await cli(["pipeline", "up", file], { LANG: "ko_KR.UTF-8" });
    assert.match(korean.stdout, /^변경 사항 없음: 모든 레코드와 토큰이 이미 계획대로입니다\.$/m);
    assert.match(korean.stdout, /^ {2}· production\s+변경 없음\s+엔드포인트 "Pipeline Controller Client"$/m);
  });

  test("drift and repair in both languages; status --json stays English for scripts", async () => {
    const dev = instances[1]!;
    await deleteProvider(dev.instance.store.db, (await findProvider(dev.instance.store.db, "Pipeline Production"))!.sysId, "test");

    const korean = await cli(["pipeline", "verify", file, "--lang", "ko"]);
    assert.notEqual(korean.code, 0);
    assert.match(korean.stdout, /^드리프트: development: 공급자 "Pipeline Production"이\(가\) 없습니다$/m);
    assert.match(korean.stdout, /^끊긴 연결이 있거나 레코드가 계획과 다릅니다\(위 참조\)\.$/m);
    assert.match(korean.stdout, /development → production\s+끊김\s+-\s+공급자 레코드 없음/);
    assert.match(korean.stderr, /드리프트 1건, 끊긴 방향 1개/);
    // What the Korean run left on the instances is the detail's English and its catalog text, not Korean the page could not classify.
    const recorded = (await latestPipelineRun(instances[0]!.instance.store.db))!.report.edges.find((e) => e.from === "development")!;
    assert.equal(recorded.detail, "no provider record");
    assert.deepEqual(recorded.detail_text, { key: "trust.detail.noProvider" });
    // So is its drift: English for older pages and the Table API, catalog texts for this version's pages.
    const run = (await latestPipelineRun(instances[0]!.instance.store.db))!.report;
    assert.deepEqual(run.drift, ['development: provider "Pipeline Production" is missing']);
    assert.deepEqual(run.drift_text, [{ key: "trust.drift.providerMissing", values: { instance: "development", name: "Pipeline Production" } }]);
    const page = (await pipelineGraph(instances[0]!.instance)).run!.drift.map((d) => worded(d, translator("ko").t));
    assert.deepEqual(page, ['development: 공급자 "Pipeline Production"이(가) 없습니다']);

    const english = await cli(["pipeline", "verify", file, "--lang", "en"]);
    assert.match(english.stdout, /^drift: development: provider "Pipeline Production" is missing$/m);
    assert.match(english.stderr, /1 drift, 1 broken direction$/m);
    assert.equal((await latestPipelineRun(instances[0]!.instance.store.db))!.report.kind, "verify");

    const json = await cli(["pipeline", "status", file, "--json", "--lang", "ko"]);
    const report = JSON.parse(json.stdout);
    assert.deepEqual(report.drift, ['development: provider "Pipeline Production" is missing']);
    assert.ok(report.edges.some((e: { status: string; detail: string }) => e.status === "broken" && e.detail === "no provider record"));
    // The Pipeline page names the command whose run it shows: status, not the verify before it.
    assert.equal((await latestPipelineRun(instances[0]!.instance.store.db))!.report.kind, "status");

    const repaired = await cli(["pipeline", "up", file, "--lang", "ko"]);
    assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
    assert.match(repaired.stdout, /^ {2}\+ production\s+다시 생성함\s+"Pipeline Controller Client"의 클라이언트 암호$/m);
    assert.match(repaired.stdout, /^\d+건을 변경했습니다\.$/m);
    assert.equal((await cli(["pipeline", "verify", file, "--lang", "en"])).stdout.match(/Every edge works in both directions\./)?.length, 1);
  });
});
