import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, postForm, registerClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
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

  test("a page that does not exist, and a refused language switch, answer in the reader's language; an API's 404 does not", async () => {
    const missing = await http(`${korean.base}/no/such/page?x=1`);
    assert.equal(missing.status, 404);
    assert.match(missing.text, /<html lang="ko">[\s\S]*<h1>페이지를 찾을 수 없음<\/h1>[\s\S]*\/no\/such\/page에는 아무것도 없습니다/);
    assert.match(missing.headers.get("vary") ?? "", /Accept-Language/);
    const english404 = await http(`${korean.base}/no/such/page`, { headers: { "accept-language": "en" } });
    assert.match(english404.text, /<html lang="en">[\s\S]*<h1>Page not found<\/h1>[\s\S]*There is nothing at \/no\/such\/page/);
    const api = await http(`${korean.base}/api/no/such`, { headers: { "accept-language": "ko" } });
    assert.equal(api.status, 404);
    assert.equal(api.body.status, "failure");
    assert.match(api.body.error.message, /no such resource/);

    const refused = await postForm(`${korean.base}/language`, { lang: "en", csrf_token: "forged" }, { "sec-fetch-site": "cross-site" });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /<html lang="ko">[\s\S]*<h1>요청이 거부됨<\/h1>/);
  });

  test("pages a person reads outside the admin UI follow the language too: the consumer's redirect, the authorize errors, a failed sign-in", async () => {
    const ko = { "accept-language": "ko-KR,ko;q=0.9" };
    const redirect = await http(`${english.base}/oauth_redirect.do`, { headers: ko });
    assert.equal(redirect.status, 400);
    assert.match(redirect.text, /<html lang="ko">[\s\S]*<h1>연결 거부됨<\/h1>[\s\S]*공급자의 응답에 state가 없어/);
    const englishRedirect = await http(`${english.base}/oauth_redirect.do`);
    assert.match(englishRedirect.text, /<h1>Connection refused<\/h1>[\s\S]*carries no state/);

    const authorize = await http(`${english.base}/oauth_auth.do?response_type=code`, { headers: ko });
    assert.equal(authorize.status, 400);
    assert.match(authorize.text, /<h1>잘못된 권한 부여 요청<\/h1>[\s\S]*요청에 client_id가 없습니다\./);

    const signIn = await http(`${korean.base}/`);
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(signIn.text)![1]!;
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const failed = await postForm(`${korean.base}/login.do`, { csrf_token: csrf, user_name: "admin", user_password: "wrong password" }, { cookie, "sec-fetch-site": "same-origin" });
    assert.equal(failed.status, 401);
    assert.match(failed.text, /role="alert">사용자 이름 또는 비밀번호가 올바르지 않습니다\./);
  });

  test("the language switch refuses a form without a CSRF token and changes nothing", async () => {
    const res = await postForm(`${english.base}/language`, { lang: "ko", next: "/" });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("set-cookie"), null);
  });

  test("the language switch goes back only to an admin page or the sign-in page: a tab, a control character, a backslash or another host goes to the sign-in page", async () => {
    const signIn = await http(`${english.base}/`);
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(signIn.text)![1]!;
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const back = async (body: string) => {
      const res = await postForm(`${english.base}/language`, `lang=ko&csrf_token=${encodeURIComponent(csrf)}&${body}`, { cookie, "sec-fetch-site": "same-origin" });
      assert.equal(res.status, 303, `${body}: ${res.text}`);
      return res.headers.get("location");
    };
    // What browsers read as //evil.example/x once they drop the tab or newline (WHATWG URL).
    for (const next of ["/%09/evil.example/x", "/%0A/evil.example/x", "/%0D/evil.example/x", "//evil.example/x", "/%5Cevil.example/x", "https://evil.example/x", "/admin/../x", "/?next=/%2509/evil.example/x", "/?next=//evil.example"]) {
      assert.equal(await back(`next=${next}`), "/", next);
    }
    assert.equal(await back("next=/admin/registry%3Fq%3Dpeer"), "/admin/registry?q=peer");
    assert.equal(await back(`next=${encodeURIComponent("/?next=/admin/users")}`), "/?next=%2Fadmin%2Fusers", "the sign-in page keeps the page it leads to");
    assert.equal(await back("next="), "/");
    // The OAuth login page's switch: back to /oauth_auth.do with every parameter, percent-encoded anew, never elsewhere.
    const request = new URLSearchParams({ response_type: "code", client_id: "abc", state: "a b/c?d=e&f", login_hint: "ünïcode" });
    const location = await back(`next=${encodeURIComponent(`/oauth_auth.do?${request}`)}`);
    assert.ok(location?.startsWith("/oauth_auth.do?"), location ?? "");
    assert.deepEqual([...new URLSearchParams(location!.slice("/oauth_auth.do?".length))], [...request]);
    assert.match(location!, /^[\x21-\x7e]+$/, "nothing a Location header cannot carry");
    for (const next of ["/oauth_auth.do", "/oauth_auth.do/../x?a=b", "/oauth_auth.doX?a=b", "//evil.example/oauth_auth.do?a=b"]) assert.equal(await back(`next=${encodeURIComponent(next)}`), "/", next);
    assert.equal(await back(`next=${encodeURIComponent("/oauth_auth.do?a=%0D%0ASet-Cookie:%20x=y")}`), "/oauth_auth.do?a=%0D%0ASet-Cookie%3A+x%3Dy");
  });

  test("the OAuth login page's switch is CSRF-checked like the sign-in page's: its own token, from this site only", async () => {
    const { base } = english;
    const client = await registerClient(english.instance, { redirect_url: ["https://client.example/cb"] });
    const query = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://client.example/cb", code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
    const login = await http(`${base}/oauth_auth.do?${query}`);
    const form = /<form method="post" action="\/language"[\s\S]*?<\/form>/.exec(login.text)?.[0] ?? "";
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(form)?.[1];
    assert.ok(csrf, "the switch carries the login form's CSRF token");
    assert.equal(/name="next" value="([^"]+)"/.exec(form)?.[1]?.replace(/&amp;/g, "&"), `/oauth_auth.do?${query}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const post = (body: Record<string, string>, headers: Record<string, string>) => postForm(`${base}/language`, { lang: "ko", next: `/oauth_auth.do?${query}`, ...body }, { cookie, ...headers });
    for (const [body, headers] of [[{ csrf_token: csrf! }, { "sec-fetch-site": "cross-site" }], [{}, { "sec-fetch-site": "same-origin" }], [{ csrf_token: "forged" }, { "sec-fetch-site": "same-origin" }]] as const) {
      const refused = await post(body, headers);
      assert.equal(refused.status, 403, JSON.stringify([body, headers]));
      assert.equal(refused.headers.get("set-cookie"), null);
    }
    const switched = await post({ csrf_token: csrf! }, { "sec-fetch-site": "same-origin" });
    assert.equal(switched.status, 303);
    assert.equal(switched.headers.get("location"), `/oauth_auth.do?${query}`);
    assert.match(switched.headers.get("set-cookie") ?? "", /=ko/);
  });
});
