import assert from "node:assert/strict";
import { test } from "node:test";
import { errorSummary } from "../../src/pipeline/error-summary.ts";

test("a far side's error answer is summed up as its message, not shown as its JSON", () => {
  // The platform's envelope: the message, and the detail when it adds something.
  assert.equal(errorSummary({ error: { message: "User Not Authenticated", detail: "Required to provide Auth information" }, status: "failure" }), "User Not Authenticated (Required to provide Auth information)");
  assert.equal(errorSummary({ error: { message: "No Record found", detail: "" }, status: "failure" }), "No Record found");
  // RFC 6749 §5.2.
  assert.equal(errorSummary({ error: "invalid_client", error_description: "client authentication failed" }), "invalid_client: client authentication failed");
  assert.equal(errorSummary({ error: "invalid_grant" }), "invalid_grant");
  // Neither shape, or a page: the status says more than its markup.
  assert.equal(errorSummary({ result: { user_name: "admin" } }), "");
  assert.equal(errorSummary("<!DOCTYPE html><html><body>Bad gateway</body></html>"), "");
  assert.equal(errorSummary(null), "");
  assert.equal(errorSummary("upstream\n  connect error"), "upstream connect error");
  // Clipped for a table cell, with a mark that it was.
  const long = errorSummary({ error: { message: "x".repeat(500) } });
  assert.equal(long.length, 160);
  assert.ok(long.endsWith("…"));
});
