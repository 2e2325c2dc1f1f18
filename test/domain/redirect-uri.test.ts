import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRedirectUrlList, redirectUriMatches, redirectUriProblem } from "../../src/domain/redirect-uri.ts";

describe("redirect URIs (RFC 9700 §2.1, RFC 8252 §7.3)", () => {
  test("the seed's comma-and-space list and plain commas both parse", () => {
    assert.deepEqual(parseRedirectUrlList("https://a/x, https://b/y"), ["https://a/x", "https://b/y"]);
    assert.deepEqual(parseRedirectUrlList("https://a/x,https://b/y,"), ["https://a/x", "https://b/y"]);
    assert.deepEqual(parseRedirectUrlList(["https://a/x", "https://b/y, https://c/z"]), ["https://a/x", "https://b/y", "https://c/z"]);
  });

  test("matching is exact string equality", () => {
    assert.ok(redirectUriMatches("https://a.example/cb", "https://a.example/cb"));
    for (const other of ["https://a.example/cb/", "https://a.example/CB", "https://A.example/cb", "https://a.example/cb?x=1", "https://a.example:443/cb", "https://a.example/cb#f"]) {
      assert.ok(!redirectUriMatches("https://a.example/cb", other), other);
    }
  });

  test("a loopback IP literal may change only its port", () => {
    assert.ok(redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:4711/cb"));
    assert.ok(redirectUriMatches("http://[::1]:80/cb", "http://[::1]:5000/cb"));
    assert.ok(!redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1:4711/other"));
    assert.ok(!redirectUriMatches("http://localhost/cb", "http://localhost:4711/cb"), "localhost is not treated as loopback");
    assert.ok(!redirectUriMatches("http://127.0.0.1/cb", "http://127.0.0.1.evil.example/cb"));
  });

  test("registration refuses fragments, http off loopback, user info and odd schemes", () => {
    assert.equal(redirectUriProblem("https://a.example/cb", false), undefined);
    assert.equal(redirectUriProblem("http://localhost:3000/cb", false), undefined);
    assert.equal(redirectUriProblem("com.example.app:/callback", false), undefined);
    assert.match(redirectUriProblem("https://a.example/cb#x", false)!, /fragment/);
    assert.match(redirectUriProblem("http://a.example/cb", false)!, /https/);
    assert.equal(redirectUriProblem("http://a.example/cb", true), undefined);
    assert.match(redirectUriProblem("https://u:p@a.example/cb", false)!, /user information/);
    assert.match(redirectUriProblem("javascript:alert(1)", false)!, /scheme/);
    assert.match(redirectUriProblem("/relative", false)!, /absolute/);
  });

  test("registration refuses wildcards, spaces and control characters, which the URL parser would quietly encode", () => {
    assert.match(redirectUriProblem("https://*.example/cb", false)!, /wildcard/);
    assert.equal(redirectUriProblem("https://a.example/cb?scope=*", false), undefined, "a * outside the host is a literal character, matched exactly");
    assert.match(redirectUriProblem("https://a.example/c\u0000b", false)!, /"https:\/\/a\.example\/c\\u0000b" must not contain spaces or control characters/);
    assert.match(redirectUriProblem("https://a.example/c b", false)!, /control characters/);
    assert.match(redirectUriProblem("https://a.example/c\u001b[31m", false)!, /control characters/);
  });
});
