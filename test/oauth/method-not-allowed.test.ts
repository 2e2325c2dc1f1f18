import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { methodsByPath } from "../../src/http/method-not-allowed.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

describe("a served path asked with a method it does not answer is a 405 naming the ones it does", () => {
  let server: TestInstance;
  before(async () => {
    server = await startTestInstance(dialectsUnderTest()[0]!);
  });
  after(() => server.close());

  const ask = (method: string, path: string) => fetch(`${server.base}${path}`, { method, headers: { accept: "application/json" } });

  test("OAuth endpoints answer in OAuth JSON; the metadata is GET only", async () => {
    for (const [method, path, allow] of [
      ["OPTIONS", "/oauth_token.do", /^POST$/],
      ["PROPFIND", "/oauth_revoke_token.do", /^POST$/],
      ["POST", "/.well-known/oauth-authorization-server", /^GET, HEAD$/],
    ] as const) {
      const response = await ask(method, path);
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.match(response.headers.get("allow") ?? "", allow);
      const body = (await response.json()) as { error: string; error_description: string };
      assert.equal(body.error, "invalid_request");
      assert.match(body.error_description, new RegExp(`${method} is not allowed on`));
    }
  });

  test("the Table API answers in its envelope, with the collection's and the record's own methods", async () => {
    const collection = await ask("PUT", "/api/now/table/incident");
    assert.equal(collection.status, 405);
    assert.equal(collection.headers.get("allow"), "GET, HEAD, POST");
    assert.equal(((await collection.json()) as { status: string }).status, "failure");
    const record = await ask("POST", `/api/now/table/incident/${"a".repeat(32)}`);
    assert.equal(record.status, 405);
    assert.deepEqual(record.headers.get("allow")!.split(", ").sort(), ["DELETE", "GET", "HEAD", "PATCH", "PUT"]);
    // A trailing slash is the same path (app.ts), where the slash's empty segment was taken for a sys_id.
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const slashed = await ask(method, "/api/now/table/incident/");
      assert.equal(slashed.status, 405, method);
      assert.equal(slashed.headers.get("allow"), "GET, HEAD, POST");
    }
  });

  test("pages answer with a page; a path nothing serves is still a 404", async () => {
    const page = await ask("DELETE", "/admin/registry");
    assert.equal(page.status, 405);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.equal((await ask("GET", "/no/such/page")).status, 404);
    assert.equal((await ask("DELETE", "/no/such/page")).status, 404);
    assert.equal((await ask("PUT", "/api/now/no_such_api")).status, 404, "the platform's namespace is not a Scripted REST API");
    assert.equal((await ask("DELETE", "/api/x_none/v1/thing")).status, 404, "nor is an API nobody defined");
  });

  test("a body the parser refuses changes none of it: the 404 or 405 a good body gets, in the path's own format", async () => {
    const withBody = (method: string, path: string, body: string) => fetch(`${server.base}${path}`, { method, headers: { accept: "application/json", "content-type": "application/json" }, body });
    const bodies = { malformed: '{"short_description": ', "over the limit": `{"a":"${"x".repeat(server.instance.config.bodyLimit)}"}` };
    for (const [method, path, status, allow, type] of [
      ["PUT", "/api/now/table/incident", 405, "GET, HEAD, POST", /^application\/json/],
      ["POST", `/api/now/table/incident/${"a".repeat(32)}`, 405, "GET, HEAD, PUT, PATCH, DELETE", /^application\/json/],
      ["PUT", "/api/now/no_such_api", 404, null, /^application\/json/],
      ["DELETE", "/api/x_none/v1/thing", 404, null, /^application\/json/],
      ["PUT", "/oauth_token.do", 405, "POST", /^application\/json/],
      ["OPTIONS", "/oauth_revoke_token.do", 405, "POST", /^application\/json/],
      ["POST", "/.well-known/oauth-authorization-server", 405, "GET, HEAD", /^application\/json/],
      ["PUT", "/api/portcullis/registry/endpoints", 405, "GET, HEAD, POST", /^application\/json/],
      ["POST", "/api/portcullis/connections/some-provider/authorize", 405, "GET, HEAD", /^text\/html/],
      ["DELETE", "/admin/registry", 405, "GET, HEAD", /^text\/html/],
      ["POST", "/no/such/page", 404, null, /^text\/html/],
    ] as const) {
      const good = await withBody(method, path, "{}");
      assert.equal(good.status, status, `${method} ${path} with a good body`);
      for (const [name, body] of Object.entries(bodies)) {
        const res = await withBody(method, path, body);
        assert.equal(res.status, status, `${method} ${path}, ${name}: ${await res.text()}`);
        assert.equal(res.headers.get("allow"), allow, `${method} ${path}, ${name}`);
        assert.match(res.headers.get("content-type") ?? "", type, `${method} ${path}, ${name}`);
      }
    }
  });

  test("the most specific pattern decides, as the router ranks them", () => {
    const at = methodsByPath([
      { method: "GET", url: "/api/now/table/:table", errorFormat: "api" },
      { method: "POST", url: "/api/now/table/:table", errorFormat: "api" },
      { method: "PUT", url: "/api/:namespace/:id/*", errorFormat: "api" },
      { method: "GET", url: "/api/now/table/sys_user/special", errorFormat: "api" },
    ]);
    assert.deepEqual(at("/api/now/table/incident")?.methods, ["GET", "HEAD", "POST"]);
    assert.deepEqual(at("/api/x_app/v1/anything/deep")?.methods, ["PUT"]);
    assert.deepEqual(at("/api/now/table/sys_user/special")?.methods, ["GET", "HEAD"]);
    assert.equal(at("/elsewhere"), undefined);
  });
});
