import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { table } from "../../src/cli/output.ts";

describe("the CLI's plain tables", () => {
  test("columns line up in terminal cells, the rule under each as wide as its column", () => {
    const lines = table(["NAME", "상태"], [["production", "정상"], ["dev", "ok"]]).split("\n");
    assert.deepEqual(lines, ["NAME        상태", "----------  ----", "production  정상", "dev         ok"]);
  });

  test("a long value in the last column does not draw a rule that wraps across the terminal", () => {
    const reason = `GET /api/now/v1/whoami: failed POST https://localhost:9442/api/…/token: 502 ${"cannot reach ".repeat(30)}`;
    const [heading, rule, row] = table(["EDGE", "DETAIL"], [["production ⇄ test", reason]]).split("\n");
    assert.equal(heading, "EDGE               DETAIL");
    assert.equal(rule, `-----------------  ${"-".repeat(40)}`);
    assert.equal(row, `production ⇄ test  ${reason.trimEnd()}`, "the value itself is printed whole");
  });
});
