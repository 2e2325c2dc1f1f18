import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { namespaceProblem, operationProblems, parseRelativePath, resolveOperation, serviceIdProblem, templateKey } from "../../src/domain/scripted-rest.ts";

describe("Scripted REST paths", () => {
  test("relative paths parse into literals and parameters; bad ones are refused with a reason", () => {
    assert.deepEqual(parseRelativePath("/"), []);
    assert.deepEqual(parseRelativePath("/items/{id}/notes"), [{ literal: "items" }, { param: "id" }, { literal: "notes" }]);
    for (const bad of ["items", "/items/", "//x", "/a/{id}/{id}", "/a/{1x}", "/a/b c", "/a/{x", `/${"a".repeat(401)}`, "/a/%2e%2e", "/a/../b", "/..", "/./a", "/a/."]) {
      assert.throws(() => parseRelativePath(bad), Error, bad);
    }
    assert.equal(templateKey(parseRelativePath("/a/{x}/b")), templateKey(parseRelativePath("/a/{y}/b")));
  });

  test("namespaces and API IDs are identifiers, and the built-in namespaces are taken", () => {
    assert.equal(namespaceProblem("x_acme"), null);
    assert.match(namespaceProblem("now") ?? "", /built-in/);
    assert.match(namespaceProblem("portcullis") ?? "", /built-in/);
    for (const bad of ["", "X", "1a", "a/b", "a.b", "a".repeat(41), 7]) assert.notEqual(namespaceProblem(bad), null, String(bad));
    assert.equal(serviceIdProblem("v1-api"), null);
    assert.notEqual(serviceIdProblem(".."), null);
  });

  test("methods and role lists are checked", () => {
    assert.deepEqual(operationProblems({ name: "x", http_method: "GET", relative_path: "/", roles_required: "itil,admin" }), []);
    const problems = operationProblems({ name: "x", http_method: "get", relative_path: "x", roles_required: "a, b" }).map((p) => p.field);
    assert.deepEqual(problems, ["http_method", "relative_path", "roles_required"]);
  });

  test("the most specific match wins, left to right; a wrong method gives the allowed ones", () => {
    const c = (path: string, method: string) => ({ segments: parseRelativePath(path), method, item: `${method} ${path}` });
    const candidates = [c("/items/{id}", "GET"), c("/items/new", "GET"), c("/items/new", "POST"), c("/{any}/x", "GET"), c("/items/x", "PUT"), c("/", "GET")];
    const found = (method: string, path: string) => {
      const r = resolveOperation(candidates, method, path.split("/").filter(Boolean));
      // A copy with Object's prototype to compare with literals; the parameters themselves have none.
      return "found" in r ? [r.found, { ...r.pathParams }] : r;
    };
    assert.deepEqual(found("GET", "/items/new"), ["GET /items/new", {}]);
    assert.deepEqual(found("GET", "/items/42"), ["GET /items/{id}", { id: "42" }]);
    assert.deepEqual(found("GET", "/items/x"), ["GET /items/{id}", { id: "x" }]);
    assert.deepEqual(found("GET", "/other/x"), ["GET /{any}/x", { any: "other" }]);
    assert.deepEqual(found("GET", "/"), ["GET /", {}]);
    assert.deepEqual(found("DELETE", "/items/new"), { methodNotAllowed: ["GET", "POST"] });
    assert.deepEqual(found("GET", "/items/1/2"), { notFound: true });
  });

  test("a parameter named __proto__ or constructor is an own parameter of a prototype-less object", () => {
    const r = resolveOperation([{ segments: parseRelativePath("/{__proto__}/{constructor}"), method: "GET", item: 1 }], "GET", ["a", "b"]);
    assert.ok("found" in r);
    assert.equal(Object.getPrototypeOf(r.pathParams), null);
    assert.deepEqual(Object.entries(r.pathParams), [
      ["__proto__", "a"],
      ["constructor", "b"],
    ]);
  });
});
