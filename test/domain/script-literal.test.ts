import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseEncodedQuery, QueryError } from "../../src/domain/encoded-query.ts";
import { scriptSafeOperand } from "../../src/domain/script-literal.ts";

/** The one condition `text` parses to, as [operator, value]. */
function only(text: string): [string, string] {
  const { queries } = parseEncodedQuery(text);
  assert.equal(queries.flat(2).length, 1, text);
  const condition = queries[0]![0]![0]!;
  return [condition.operator, condition.value];
}

describe("a quoted text after javascript: in an encoded query", () => {
  test("stands for that text, in single or double quotes, with the escapes a string literal needs", () => {
    assert.deepEqual(only("u_note=javascript:'javascript:alert(1)'"), ["=", "javascript:alert(1)"]);
    assert.deepEqual(only('u_note=javascript:"it\'s"'), ["=", "it's"]);
    assert.deepEqual(only("u_note!=javascript: 'a\\\\b\\'c\\nd\\re\\tf' ;"), ["!=", "a\\b'c\nd\re\tf"]);
    assert.deepEqual(only("u_noteSTARTSWITHjavascript:'javascript:'"), ["STARTSWITH", "javascript:"]);
    assert.deepEqual(only("u_note=javascript:''"), ["=", ""]);
    assert.deepEqual(only("u_noteINjavascript:'a',b,javascript:\"c\""), ["IN", "a,b,c"]);
    assert.deepEqual(only("u_noteBETWEENjavascript:'a'@javascript:'b'"), ["BETWEEN", "a@b"]);
  });

  test("is never run: anything but one quoted text, an unknown escape or an empty text where a value is needed is refused", () => {
    for (const bad of ["u_note=javascript:'a' + 'b'", "u_note=javascript:'a", "u_note=javascript:'a\\x41'", "u_note=javascript:'a'.toUpperCase()", "u_note=javascript:`a`", "u_noteLIKEjavascript:''", "u_note>javascript:\"\""]) {
      assert.throws(() => parseEncodedQuery(bad), QueryError, bad);
    }
    assert.throws(() => parseEncodedQuery("u_note=javascript:'a\\x41'"), /\\x is not an escape this instance reads/);
    assert.throws(() => parseEncodedQuery("u_noteLIKEjavascript:''"), /LIKE needs a value/);
    // A list's separator inside the quotes would split the text in two: refused, not read as two values.
    assert.throws(() => parseEncodedQuery("u_noteINjavascript:'a,b',c"), /javascript:'a,b' stands for a value that holds ",", which IN reads as the separator of its values/);
    assert.throws(() => parseEncodedQuery("u_noteBETWEENjavascript:'a@b'@c"), QueryError);
  });

  test("scriptSafeOperand quotes only what would read as a script, and every value it writes parses back to itself", () => {
    assert.equal(scriptSafeOperand("Hardware"), "Hardware");
    assert.equal(scriptSafeOperand("see javascript:x"), "see javascript:x");
    assert.equal(scriptSafeOperand("javascript:alert('x')"), "javascript:'javascript:alert(\\'x\\')'");
    const values = ["javascript:alert(1)", "javascript:gs.getUserID()", "javascript:gs.beginningOfToday()", "javascript:", "javascript:'quoted'", 'javascript:"double"', "javascript:a\\b\\'c", "javascript:a^b^^c", "javascript:a,b@c", "javascript:line\nbreak\r\ttab", "JavaScript:x", "plain"];
    for (const value of values) {
      const text = `u_note=${scriptSafeOperand(value).replaceAll("^", "^^")}`;
      assert.deepEqual(only(text), ["=", value], text);
    }
  });
});
