/**
 * GlideRecord's conditions (glide-record.ts) as encoded query text, and the QueryCondition that
 * addQuery returns, whose addOrCondition ORs a condition with that one, as on the platform:
 * `var q = gr.addQuery('priority', 1); q.addOrCondition('priority', 2);` is `priority=1^ORpriority=2`.
 * Built inside the sandbox; `textOf` turns a script's value into the text a field holds.
 */
export const glideConditions = String.raw`(function glideConditions(textOf) {
  "use strict";
  const freeze = Object.freeze, hasOwn = Object.prototype.hasOwnProperty;
  const walkName = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
  // The platform's addQuery operators, as the encoded query machinery spells them.
  const operators = { "=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "IN": "IN", "NOT IN": "NOT IN",
    "STARTSWITH": "STARTSWITH", "ENDSWITH": "ENDSWITH", "CONTAINS": "LIKE", "DOES NOT CONTAIN": "NOT LIKE", "LIKE": "LIKE",
    "NOT LIKE": "NOT LIKE", "ISEMPTY": "ISEMPTY", "ISNOTEMPTY": "ISNOTEMPTY", "BETWEEN": "BETWEEN", "SAMEAS": "SAMEAS", "NSAMEAS": "NSAMEAS" };

  // One condition as encoded query text, or null when it is invalid: s.invalid then says why, and the query finds nothing.
  const conditionText = function (s, method, name, operator, value) {
    if (s.invalid) return null;
    const invalid = function (why) { s.invalid = method + ": " + why; return null; };
    if (typeof name !== "string" || !walkName.test(name)) return invalid(JSON.stringify(String(name)).slice(0, 80) + " is not a field name");
    const op = typeof operator === "string" && hasOwn.call(operators, operator.toUpperCase()) ? operators[operator.toUpperCase()] : null;
    if (!op) return invalid("unknown operator " + JSON.stringify(String(operator)).slice(0, 40));
    if (op === "ISEMPTY" || op === "ISNOTEMPTY") return name + op;
    if (value === null || value === undefined) return invalid("no value for " + name);
    // A caret in a value is doubled, so it stays in the value and cannot start a condition of its own.
    return name + op + textOf(value).split("^").join("^^");
  };
  // Adds an AND condition; its index in s.conditions, or null when it was invalid.
  const condition = function (s, name, operator, value) {
    const text = conditionText(s, "addQuery", name, operator, value);
    return text === null ? null : s.conditions.push(text) - 1;
  };

  function QueryCondition() { throw new TypeError("a QueryCondition comes from GlideRecord.addQuery"); }
  const joined = new WeakMap();
  const queryCondition = function (s, index) {
    const qc = freeze(Object.create(QueryCondition.prototype));
    joined.set(qc, { s: s, index: index });
    return qc;
  };
  QueryCondition.prototype.addOrCondition = function (name, operator, value) {
    const found = joined.get(this);
    if (!found) throw new TypeError("not a QueryCondition");
    const s = found.s;
    const text = arguments.length === 2 ? conditionText(s, "addOrCondition", name, "=", operator) : conditionText(s, "addOrCondition", name, operator, value);
    // With index null the condition it joins was invalid, and the query already finds nothing.
    if (text !== null && found.index !== null) s.conditions[found.index] += "^OR" + text;
    return this;
  };
  freeze(QueryCondition.prototype);
  freeze(QueryCondition);
  return freeze({ walkName: walkName, condition: condition, queryCondition: queryCondition });
})`;
