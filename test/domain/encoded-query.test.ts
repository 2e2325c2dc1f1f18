import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fieldsOfQuery, operators, parseEncodedQuery, QueryError } from "../../src/domain/encoded-query.ts";

describe("encoded query parser", () => {
  test("^ is AND, ^OR joins the condition before it, ^NQ starts a new ORed query", () => {
    const parsed = parseEncodedQuery("active=true^priority<=2^ORshort_descriptionLIKEdisk^NQstate=7^ORDERBYDESCsys_created_on^ORDERBYnumber");
    assert.deepEqual(parsed.queries, [
      [[{ field: "active", operator: "=", value: "true" }], [{ field: "priority", operator: "<=", value: "2" }, { field: "short_description", operator: "LIKE", value: "disk" }]],
      [[{ field: "state", operator: "=", value: "7" }]],
    ]);
    assert.deepEqual(parsed.orderBy, [{ field: "sys_created_on", descending: true }, { field: "number", descending: false }]);
  });

  test("every operator is recognised, longest first", () => {
    for (const operator of operators) {
      const value = operator === "ISEMPTY" || operator === "ISNOTEMPTY" || operator === "ANYTHING" || operator === "EMPTYSTRING" ? "" : operator === "BETWEEN" ? "1@2" : "v";
      assert.deepEqual(parseEncodedQuery(`field_1${operator}${value}`).queries, [[[{ field: "field_1", operator, value }]]], operator);
    }
    assert.equal(parseEncodedQuery("a!=1").queries[0]![0]![0]!.operator, "!=");
    assert.equal(parseEncodedQuery("aNOT IN1,2").queries[0]![0]![0]!.operator, "NOT IN");
    assert.equal(parseEncodedQuery("aNSAMEASb").queries[0]![0]![0]!.operator, "NSAMEAS");
  });

  test("INSTANCEOF is refused as the platform operator it is, never read as IN with the value STANCEOF…", () => {
    assert.throws(() => parseEncodedQuery("sys_class_nameINSTANCEOFcmdb_ci"), (e: Error) => e instanceof QueryError && /INSTANCEOF is a platform operator/.test(e.message));
    assert.deepEqual(parseEncodedQuery("stateINSTANCE,2").queries, [[[{ field: "state", operator: "IN", value: "STANCE,2" }]]]);
  });

  test("^^ is a literal caret; empty segments and ^EQ are ignored; an empty query matches everything", () => {
    assert.deepEqual(parseEncodedQuery("a=x^^y^EQ^").queries, [[[{ field: "a", operator: "=", value: "x^y" }]]]);
    assert.deepEqual(parseEncodedQuery(""), { queries: [], orderBy: [] });
  });

  test("a field may be a dot-walk through references, checked against the dictionary later", () => {
    assert.deepEqual(parseEncodedQuery("caller_id.manager.name=Ada Lovelace^caller_id.emailISEMPTY").queries, [
      [[{ field: "caller_id.manager.name", operator: "=", value: "Ada Lovelace" }], [{ field: "caller_id.email", operator: "ISEMPTY", value: "" }]],
    ]);
    assert.deepEqual(parseEncodedQuery("ORDERBYcaller_id.name^ORDERBYDESCu_site.u_parent.u_name").orderBy, [
      { field: "caller_id.name", descending: false },
      { field: "u_site.u_parent.u_name", descending: true },
    ]);
    assert.throws(() => parseEncodedQuery("ORDERBYcaller_id."), /does not name a field \(or a dot-walk such as caller_id\.name\) to order by/);
  });

  test("fieldsOfQuery lists condition, SAMEAS operand and ORDERBY fields", () => {
    assert.deepEqual(fieldsOfQuery(parseEncodedQuery("aSAMEASb^c=1^ORDERBYd")).sort(), ["a", "b", "c", "d"]);
  });

  for (const bad of ["aLIKE", "aNOT LIKE", "aSTARTSWITH", "aENDSWITH", "a<", "a<=", "a>", "a>=", "=1", "A=1", "a", "a~1", "^ORa=1", "GROUPBYa", "ORDERBY", "ORDERBYA", "aISEMPTYx", "aBETWEEN1", "a..b=1", "a.=1", ".a=1", "ORDERBYa.", "ORDERBYa..b", "a=1\u0000", "a=1^".repeat(201), "x".repeat(20_001)]) {
    test(`refuses ${JSON.stringify(bad.slice(0, 30))}`, () => {
      assert.throws(() => parseEncodedQuery(bad), QueryError);
    });
  }
});
