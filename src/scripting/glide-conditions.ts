/**
 * GlideRecord's conditions (glide-record.ts) as encoded query text, and the GlideQueryCondition
 * that addQuery returns. As the platform documents it, addOrCondition ORs a condition with that
 * one and returns the condition it added, addCondition ANDs one into it:
 * `var q = gr.addQuery('priority', 1); q.addOrCondition('priority', 2);` is `priority=1^ORpriority=2`,
 * and `var a = gr.addQuery('priority', 1); a.addCondition('state', 2); a.addOrCondition('priority', 3).addCondition('state', 4);`
 * is (priority 1 and state 2) or (priority 3 and state 4).
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
  // What one encoded query may hold (src/domain/encoded-query.ts): a tree is not multiplied out past it.
  const maxConditions = 200;

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

  // A condition and what was added to it: (text AND each of ands) OR each of ors, each itself such a node.
  const node = function (text) { return { text: text, ands: [], ors: [] }; };
  const size = function (clauses) { return clauses.reduce(function (n, c) { return n + c.length; }, 0); };
  // A node as clauses (each an OR of condition texts) ANDed together, the one shape an encoded query
  // writes (a^ORb^c); null when that takes more conditions than a query may hold.
  const clausesOf = function (n) {
    let out = [[n.text]];
    for (const and of n.ands) {
      const more = clausesOf(and);
      if (!more) return null;
      out = out.concat(more);
    }
    for (const or of n.ors) {
      const other = clausesOf(or);
      if (!other || out.length * other.length > maxConditions) return null;
      // x OR (y AND z) is (x OR y) AND (x OR z).
      const next = [];
      for (const left of out) for (const right of other) next.push(left.concat(right));
      out = next;
    }
    return size(out) > maxConditions ? null : out;
  };

  function GlideQueryCondition() { throw new TypeError("a GlideQueryCondition comes from addQuery"); }
  const joined = new WeakMap();
  // index is the root's place in s.conditions; null when the condition was invalid (the query already finds nothing).
  const attach = function (s, index, root, n) {
    const qc = freeze(Object.create(GlideQueryCondition.prototype));
    joined.set(qc, { s: s, index: index, root: root, node: n });
    return qc;
  };
  const queryCondition = function (s, index) {
    const root = index === null ? null : node(s.conditions[index]);
    return attach(s, index, root, root);
  };
  const add = function (qc, method, list, args) {
    const found = joined.get(qc);
    if (!found) throw new TypeError("not a GlideQueryCondition");
    const s = found.s;
    const text = args.length === 2 ? conditionText(s, method, args[0], "=", args[1]) : conditionText(s, method, args[0], args[1], args[2]);
    if (text === null || found.index === null) return attach(s, null, null, null);
    const added = node(text);
    found.node[list].push(added);
    const clauses = clausesOf(found.root);
    if (clauses) s.conditions[found.index] = clauses.map(function (c) { return c.join("^OR"); }).join("^");
    else s.invalid = method + ": written as ANDed ORs, as an encoded query writes it, the condition would need more than " + maxConditions + " conditions; write it with addEncodedQuery";
    return attach(s, found.index, found.root, added);
  };
  GlideQueryCondition.prototype.addOrCondition = function (name, operator, value) { return add(this, "addOrCondition", "ors", arguments); };
  GlideQueryCondition.prototype.addCondition = function (name, operator, value) { return add(this, "addCondition", "ands", arguments); };
  freeze(GlideQueryCondition.prototype);
  freeze(GlideQueryCondition);
  return freeze({ walkName: walkName, condition: condition, queryCondition: queryCondition });
})`;
