import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyProviderChanges, changesWhereTokensGo, editableFieldsOf, type OAuthProvider, parseProviderCreate, parseProviderUpdate } from "../../src/domain/oauth-provider.ts";
import { ValidationError } from "../../src/domain/validation.ts";

const provider: OAuthProvider = {
  sysId: "0123456789abcdef0123456789abcdef",
  name: "Peer",
  clientId: "peer-client",
  authorizationUrl: "",
  tokenUrl: "https://peer.example/oauth_token.do",
  revocationUrl: "",
  redirectUrl: "https://here.example/oauth_redirect.do",
  defaultGrant: "client_credentials",
  credentialStyle: "basic",
  scope: "",
  allowHttp: false,
  oauthProfile: "Peer default_profile",
  createdOn: "2026-12-06 00:00:00",
  updatedOn: "2026-12-06 00:00:00",
  updatedBy: "admin",
  modCount: 0,
};

const fields = (changes: unknown) => ({ ...editableFieldsOf(provider), ...(changes as object) });
const refusedField = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.issues.map((i) => i.field);
  }
  assert.fail("accepted");
};

describe("editing a provider: the rules", () => {
  test("an edit names only what changes; an empty one is allowed; unknown fields, blank secrets and the profile are refused", () => {
    assert.deepEqual(parseProviderUpdate({}), {});
    assert.deepEqual(parseProviderUpdate({ scope: " useraccount ", revocation_url: "" }), { scope: "useraccount", revocation_url: "" });
    assert.deepEqual(refusedField(() => parseProviderUpdate({ client_secret: "" })), ["client_secret"]);
    assert.deepEqual(refusedField(() => parseProviderUpdate({ oauth_profile: "x" })), [""]);
    assert.deepEqual(refusedField(() => parseProviderUpdate({ token_url: "" })), ["token_url"]);
    assert.deepEqual(refusedField(() => parseProviderUpdate({ default_grant: "implicit" })), ["default_grant"]);
  });

  test("names, client IDs and scopes hold no control characters (a NUL PostgreSQL cannot store, an escape sequence for the terminal)", () => {
    assert.deepEqual(refusedField(() => parseProviderUpdate({ name: "Peer\u0000" })), ["name"]);
    assert.deepEqual(refusedField(() => parseProviderUpdate({ client_id: "id\u001b[2J" })), ["client_id"]);
    assert.deepEqual(refusedField(() => parseProviderUpdate({ scope: "a\nb" })), ["scope"]);
  });

  test("the Authorization Code grant needs an authorization URL, the one kept or the one given", () => {
    assert.deepEqual(refusedField(() => applyProviderChanges(provider, { default_grant: "authorization_code" })), ["authorization_url"]);
    assert.equal(applyProviderChanges(provider, { default_grant: "authorization_code", authorization_url: "https://peer.example/oauth_auth.do" }).default_grant, "authorization_code");
    const coded = { ...provider, defaultGrant: "authorization_code" as const, authorizationUrl: "https://peer.example/oauth_auth.do" };
    assert.deepEqual(refusedField(() => applyProviderChanges(coded, { authorization_url: "" })), ["authorization_url"]);
    assert.deepEqual(applyProviderChanges(provider, { client_secret: "new" }), editableFieldsOf(provider), "the secret is not a field an edit compares");
  });

  test("where tokens go changes with the client ID or an origin (scheme, host, port) of the token or revocation URL not named before, not a path", () => {
    const before = editableFieldsOf(provider);
    assert.equal(changesWhereTokensGo(before, fields({ scope: "a", credential_style: "body", name: "Renamed" })), false);
    assert.equal(changesWhereTokensGo(before, fields({ token_url: "https://peer.example/other/oauth_token.do?x=1" })), false);
    assert.equal(changesWhereTokensGo(before, fields({ token_url: "https://PEER.example:443/oauth_token.do" })), false, "the same origin written otherwise");
    assert.equal(changesWhereTokensGo(before, fields({ client_id: "another" })), true);
    assert.equal(changesWhereTokensGo(before, fields({ token_url: "http://peer.example/oauth_token.do" })), true);
    assert.equal(changesWhereTokensGo(before, fields({ token_url: "https://peer.example:8443/oauth_token.do" })), true);
    assert.equal(changesWhereTokensGo(before, fields({ token_url: "https://evil.example/oauth_token.do" })), true);
    const revoking = { ...before, revocation_url: "https://peer.example/oauth_revoke_token.do" };
    assert.equal(changesWhereTokensGo(before, revoking), false, "the token URL's origin, named already");
    assert.equal(changesWhereTokensGo(revoking, before), false, "no revocation URL any more");
    assert.equal(changesWhereTokensGo(before, { ...before, revocation_url: "https://revoke.example/r" }), true, "an origin not named before");
    const split = { ...before, revocation_url: "https://revoke.example/r" };
    assert.equal(changesWhereTokensGo(split, { ...split, token_url: "https://revoke.example/token" }), false, "both origins were named before");
  });

  test("a token or revocation URL on an origin the record did not name needs the client secret in the same edit; a new path does not", () => {
    assert.deepEqual(refusedField(() => applyProviderChanges(provider, { token_url: "https://evil.example/steal" })), ["client_secret"]);
    assert.deepEqual(refusedField(() => applyProviderChanges(provider, { revocation_url: "https://evil.example/steal" })), ["client_secret"]);
    assert.deepEqual(refusedField(() => applyProviderChanges(provider, { token_url: "https://peer.example:8443/oauth_token.do" })), ["client_secret"], "another port is another server");
    assert.equal(applyProviderChanges(provider, { token_url: "https://evil.example/t", client_secret: "typed again" }).token_url, "https://evil.example/t");
    assert.equal(applyProviderChanges(provider, { token_url: "https://peer.example/v2/oauth_token.do" }).token_url, "https://peer.example/v2/oauth_token.do");
    assert.equal(applyProviderChanges(provider, { revocation_url: "https://peer.example/oauth_revoke_token.do" }).revocation_url, "https://peer.example/oauth_revoke_token.do", "the token URL's server");
  });

  test("plain http is refused for hosts other than loopback unless allow_http is set; a stored URL does not block other edits", () => {
    const create = (extra: object) => () => parseProviderCreate({ name: "P", client_id: "c", client_secret: "s", token_url: "https://peer.example/t", ...extra });
    assert.deepEqual(refusedField(create({ token_url: "http://peer.example/t" })), ["token_url"]);
    assert.deepEqual(refusedField(create({ authorization_url: "http://peer.example/a", revocation_url: "http://peer.example/r" })), ["authorization_url", "revocation_url"]);
    for (const host of ["127.0.0.1:9", "localhost:9", "[::1]:9"]) assert.equal(create({ token_url: `http://${host}/t` })().token_url, `http://${host}/t`);
    assert.equal(create({ token_url: "http://peer.example/t", allow_http: true })().allow_http, true);
    assert.deepEqual(refusedField(() => applyProviderChanges(provider, { token_url: "http://peer.example/oauth_token.do", client_secret: "s" })), ["token_url"]);
    const legacy = { ...provider, tokenUrl: "http://peer.example/oauth_token.do" };
    assert.equal(applyProviderChanges(legacy, { scope: "useraccount" }).scope, "useraccount");
    const allowed = { ...legacy, allowHttp: true };
    assert.deepEqual(refusedField(() => applyProviderChanges(allowed, { allow_http: false })), ["token_url"], "turning the opt-in off checks what is stored");
  });
});
