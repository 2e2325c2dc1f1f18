import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

describe("the language over HTTP", () => {
  let english: TestInstance;
  let korean: TestInstance;
  before(async () => {
    english = await startTestInstance(dialectsUnderTest()[0]!);
    korean = await startTestInstance(dialectsUnderTest()[0]!, { locale: "ko" });
  });
  after(async () => {
    await english?.close();
    await korean?.close();
  });

  test("PORTCULLIS_LOCALE is the default; Accept-Language wins over it; the switch's cookie wins over both", async () => {
    const page = (base: string, headers: Record<string, string> = {}) => http(`${base}/`, { headers });
    assert.match((await page(english.base)).text, /<html lang="en">[\s\S]*<h1>Sign in<\/h1>/);
    assert.match((await page(korean.base)).text, /<html lang="ko">[\s\S]*<h1>로그인<\/h1>/);
    assert.match((await page(english.base, { "accept-language": "ko-KR,ko;q=0.9" })).text, /<h1>로그인<\/h1>/);
    assert.match((await page(korean.base, { "accept-language": "en-US,en;q=0.9" })).text, /<h1>Sign in<\/h1>/);
    assert.match((await page(english.base, { "accept-language": "ko", cookie: "portcullis_lang=en" })).text, /<h1>Sign in<\/h1>/);
    assert.match((await page(english.base)).headers.get("vary") ?? "", /Accept-Language/);
  });

  test("machine-facing answers do not change with the language: OAuth error codes and descriptions, metadata", async () => {
    const client = await registerClient(english.instance, { name: "Wire Client", grant_types: "client_credentials" });
    const ask = (language: string) => postForm(`${english.base}/oauth_token.do`, { grant_type: "authorization_code", code: "nope" }, { authorization: basic(client.clientId, client.secret), "accept-language": language });
    const [en, ko] = [await ask("en"), await ask("ko-KR")];
    assert.equal(ko.status, en.status);
    assert.deepEqual(ko.body, en.body);
    assert.match(ko.body.error, /^[a-z_]+$/);
    const metadata = await http(`${english.base}/.well-known/oauth-authorization-server`, { headers: { "accept-language": "ko" } });
    assert.equal(metadata.status, 200);
    assert.equal(metadata.body.issuer, english.instance.config.publicUrl);
  });

  test("the language switch refuses a form without a CSRF token and changes nothing", async () => {
    const res = await postForm(`${english.base}/language`, { lang: "ko", next: "/" });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("set-cookie"), null);
  });
});
