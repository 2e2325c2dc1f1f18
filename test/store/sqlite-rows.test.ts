import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { keptRowBuilders, rowsOf } from "../../src/store/sqlite-rows.ts";

test("rows keep every column's value and type, in column order", () => {
  const db = new Database(":memory:");
  db.exec("create table t (a integer, b text, c blob, d real)");
  db.prepare("insert into t values (?, ?, ?, ?)").run(1, "x", Buffer.from([7]), null);
  db.prepare("insert into t values (?, ?, ?, ?)").run(2, "it's \"quoted\"", null, 1.5);
  const rows = rowsOf(db.prepare("select * from t order by a"))<Record<string, unknown>>([]);
  assert.deepEqual(rows, [
    { a: 1, b: "x", c: Buffer.from([7]), d: null },
    { a: 2, b: "it's \"quoted\"", c: null, d: 1.5 },
  ]);
  assert.deepEqual(Object.keys(rows[0]!), ["a", "b", "c", "d"]);
  db.close();
});

test("parameters bind per call; a repeated name keeps the last column, as better-sqlite3 does", () => {
  const db = new Database(":memory:");
  const read = rowsOf(db.prepare("select ? as a, 2 as a, 3 as \"odd name\""));
  assert.deepEqual(read([1]), [{ a: 2, "odd name": 3 }]);
  assert.deepEqual(read(["again"]), [{ a: 2, "odd name": 3 }]);
  db.close();
});

test("a column named __proto__ is an own property, never the row's prototype", () => {
  const db = new Database(":memory:");
  const [row] = rowsOf(db.prepare("select 'value' as \"__proto__\", 1 as a"))<Record<string, unknown>>([]);
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.deepEqual(Object.keys(row!), ["__proto__", "a"]);
  assert.equal(Object.getOwnPropertyDescriptor(row, "__proto__")?.value, "value");
  db.close();
});

test("the builders kept stay bounded, however many column lists callers ask for (sysparm_fields orders), and each still reads right", () => {
  const db = new Database(":memory:");
  for (let i = 0; i < 1500; i++) {
    const [row] = rowsOf(db.prepare(`select ${i} as "c${i}", 'x' as a`))<Record<string, unknown>>([]);
    assert.deepEqual(row, { [`c${i}`]: i, a: "x" });
  }
  assert.ok(keptRowBuilders() <= 1024, `kept ${keptRowBuilders()}`);
  db.close();
});
