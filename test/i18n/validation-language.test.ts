import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { fieldError, signIn } from "../support/admin.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, tableCounts } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";

const newForm = "/admin/registry/new/client";

describe("validation messages in the reader's language", () => {
  let korean: TestInstance;
  before(async () => {
    korean = await startTestInstance(dialectsUnderTest()[0]!, { locale: "ko" });
  });
  after(() => korean?.close());

  test("a bad registry form in Korean shows Korean messages at the fields and saves nothing", async () => {
    const browser = await signIn(korean.base);
    const form = await browser.get(newForm);
    const before = await tableCounts(korean.instance.store);
    const res = await browser.submitForm(form, newForm, { name: "  ", access_token_lifespan: "ten", logo_url: "ftp://logo", grant_types: null });
    assert.equal(res.status, 400);
    assert.match(res.html, /<html lang="ko">/);
    assert.match(res.html, /저장하지 않았습니다\./);
    assert.equal(fieldError(res, "name"), "필수 항목입니다");
    assert.equal(fieldError(res, "access_token_lifespan"), "초 단위의 정수여야 합니다");
    assert.equal(fieldError(res, "logo_url"), "절대 https URL이거나 비어 있어야 합니다");

    const rules = await browser.submitForm(form, newForm, { name: "Bad URLs", access_token_lifespan: "30", redirect_url: ["http://plain.example/cb"] });
    assert.equal(rules.status, 400);
    assert.equal(fieldError(rules, "access_token_lifespan"), "60 이상이어야 합니다");
    const lifespan = await browser.submitForm(form, newForm, { name: "Bad URLs", redirect_url: ["http://plain.example/cb"] });
    assert.equal(fieldError(lifespan, "redirect_url"), "&quot;http://plain.example/cb&quot;은(는) http를 사용합니다. 루프백 호스트를 제외하면 https만 허용됩니다(또는 클라이언트에서 http 리디렉션을 허용하세요)");
    assert.deepEqual(await tableCounts(korean.instance.store), before);
    assert.doesNotMatch(rules.html + lifespan.html + res.html, /is mandatory|whole number|uses http|must be at least/);
  });

  test("a bad user form in Korean: the user name rule and the password length in Korean", async () => {
    const browser = await signIn(korean.base);
    const page = await browser.get("/admin/users");
    const res = await browser.submitForm(page, "/admin/users", { user_name: "no spaces allowed", password: "short", email: "nope" });
    assert.equal(res.status, 400);
    assert.equal(fieldError(res, "user_name"), "영문자, 숫자, 기호(. _ @ -)로 1~100자여야 합니다");
    assert.equal(fieldError(res, "password"), "8자 이상이어야 합니다");
    assert.equal(fieldError(res, "email"), "이메일 주소여야 합니다");
  });

  test("the New user form and a user's page in Korean: 성 before 이름, as Korean writes a name, and the display name is 표시 이름, so no two fields share a label", async () => {
    const browser = await signIn(korean.base);
    const page = await browser.get("/admin/users");
    const labels = [...page.html.matchAll(/<label for="(user_name|first_name|last_name|name|email)">(?:<span[^>]*>\*<\/span>)?([^<]+)<\/label>/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(labels, ["user_name 사용자 이름", "last_name 성", "first_name 이름", "name 표시 이름", "email 이메일"]);
    const admin = /href="\/admin\/users\/([0-9a-f]{32})">admin</.exec(page.html)![1]!;
    const facts = [...(await browser.get(`/admin/users/${admin}`)).html.matchAll(/<dt>([^<]+)<\/dt>/g)].map((m) => m[1]!);
    assert.deepEqual(facts.slice(0, 3), ["표시 이름", "성", "이름"]);
    assert.equal(new Set(facts).size, facts.length, facts.join(", "));
  });

  test("the Table API's envelope keeps the English message whatever the language", async () => {
    const admin = await apiUser(korean, "table.admin", ["admin"]);
    const res = await http(`${korean.base}/api/now/table/oauth_entity`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", "accept-language": "ko-KR,ko;q=0.9", authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ name: " ", access_token_lifespan: 5 }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.status, "failure");
    assert.match(JSON.stringify(res.body.error), /is mandatory/);
    assert.match(JSON.stringify(res.body.error), /must be at least 60/);
    assert.doesNotMatch(JSON.stringify(res.body), /[가-힣]/);
  });

  test("the CLI shows the same rules in the chosen language", async () => {
    const data = tempDir();
    try {
      const run = async (lang: string) => {
        let stderr = "";
        const code = await main(["node", "portcullis", "client", "create", "--lang", lang, "--data", data, "--name", "X", "--grant-types", "foo", "--redirect-url", "http://plain.example/cb"], { out: () => {}, err: (s) => void (stderr += `${s}\n`) }, { PORTCULLIS_ADMIN_PASSWORD: adminPassword });
        return { code, stderr };
      };
      const ko = await run("ko");
      assert.equal(ko.code, 2);
      assert.match(ko.stderr, /입력이 올바르지 않습니다:\n {2}grant_types\.0: 알 수 없는 권한 부여 유형 "foo"입니다\. 다음 중에서 사용하세요: authorization_code, refresh_token, password, client_credentials/);
      const en = await run("en");
      assert.match(en.stderr, /grant_types\.0: unknown grant type "foo"; use authorization_code, refresh_token, password, client_credentials/);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
