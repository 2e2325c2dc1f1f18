import { glideConditions } from "./glide-conditions.ts";

/**
 * ServiceNow's GlideAggregate, built inside the sandbox beside GlideRecord (glide-record.ts) over
 * the same synchronous host function: one `glideAggregate` data call, the Aggregate API's own
 * checks and statement as the caller, answers query(); next() steps through its groups.
 *
 *   var ga = new GlideAggregate('incident'); ga.addQuery('active', true);
 *   ga.addAggregate('COUNT'); ga.addAggregate('AVG', 'priority'); ga.groupBy('caller_id'); ga.query();
 *   while (ga.next()) { ga.getValue('caller_id'); ga.getAggregate('COUNT'); ga.getAggregate('AVG', 'priority'); }
 *
 * Refusals do not throw, as GlideRecord's do not: the query finds no groups, and
 * getLastErrorMessage() says why; an invalid query finds nothing.
 */
export const glideAggregateClass = String.raw`(function glideAggregateClass(call, log) {
  "use strict";
  const freeze = Object.freeze, hasOwn = Object.prototype.hasOwnProperty, isArray = Array.isArray;
  const states = new WeakMap();
  const kinds = { COUNT: "count", SUM: "sum", AVG: "avg", MIN: "min", MAX: "max" };
  // A GlideElement given as a value reads as its text through its toString.
  const textOf = function (value) {
    if (value === null || value === undefined) return "";
    if (isArray(value)) return value.map(textOf).join(",");
    return String(value);
  };
  const conditions = (${glideConditions})(textOf);
  const stateOf = function (ga) {
    const s = states.get(ga);
    if (!s) throw new TypeError("not a GlideAggregate");
    return s;
  };
  const fail = function (s, method, message) {
    s.lastError = message;
    log("GlideAggregate." + method + " on " + s.table + ": " + message);
  };
  const kindOf = function (kind) { return typeof kind === "string" && hasOwn.call(kinds, kind.toUpperCase()) ? kinds[kind.toUpperCase()] : null; };
  const group = function (s) { return s.index >= 0 && s.index < s.rows.length ? s.rows[s.index] : null; };
  const groupField = function (s, name) {
    const row = group(s);
    const found = row && row.groupby_fields ? row.groupby_fields.filter(function (f) { return f.field === name; })[0] : undefined;
    return found || null;
  };

  function GlideAggregate(table) {
    if (!new.target) throw new TypeError("GlideAggregate must be called with new");
    states.set(this, { table: String(table), conditions: [], invalid: null, aggregates: [], groups: [], rows: [], index: -1, lastError: null });
  }
  const methods = {
    addQuery: function (name, operator, value) {
      const s = stateOf(this);
      if (arguments.length === 1) return this.addEncodedQuery(name);
      return conditions.queryCondition(s, arguments.length === 2 ? conditions.condition(s, name, "=", operator) : conditions.condition(s, name, operator, value));
    },
    addEncodedQuery: function (query) { if (typeof query === "string" && query !== "") stateOf(this).conditions.push(query); },
    // COUNT counts the records of each group, with or without a field named.
    addAggregate: function (kind, field) {
      const s = stateOf(this), k = kindOf(kind);
      if (!k) s.invalid = "addAggregate: unknown aggregate " + JSON.stringify(String(kind)).slice(0, 40) + "; COUNT, SUM, AVG, MIN or MAX";
      else if (k !== "count" && (typeof field !== "string" || !conditions.walkName.test(field))) s.invalid = "addAggregate: " + k.toUpperCase() + " needs a field name";
      else s.aggregates.push([k, k === "count" ? null : field]);
    },
    groupBy: function (name) {
      const s = stateOf(this);
      if (typeof name === "string" && conditions.walkName.test(name)) s.groups.push(name);
      else s.invalid = "groupBy: not a field name";
    },
    getEncodedQuery: function () { return stateOf(this).conditions.join("^"); },
    query: function () {
      const s = stateOf(this);
      s.rows = [];
      s.index = -1;
      s.lastError = null;
      if (s.invalid) return fail(s, "query", s.invalid);
      const answer = call("glideAggregate", [s.table, s.conditions.join("^"), s.aggregates, s.groups]);
      if (answer.ok) s.rows = answer.value;
      else fail(s, "query", answer.message);
    },
    hasNext: function () { const s = stateOf(this); return s.index + 1 < s.rows.length; },
    next: function () {
      const s = stateOf(this);
      if (s.index < s.rows.length) s.index += 1;
      return s.index < s.rows.length;
    },
    getRowCount: function () { return stateOf(this).rows.length; },
    // The aggregate's text as the Aggregate API writes it ("3", AVG as "2.5000"); null for one not asked for.
    getAggregate: function (kind, field) {
      const row = group(stateOf(this)), k = kindOf(kind);
      if (!row || !k) return null;
      if (k === "count") return hasOwn.call(row.stats, "count") ? row.stats.count : null;
      const values = row.stats[k];
      return values && typeof field === "string" && hasOwn.call(values, field) ? values[field] : null;
    },
    getValue: function (name) { const f = groupField(stateOf(this), name); return f ? f.value : null; },
    getDisplayValue: function (name) { const f = groupField(stateOf(this), name); return f ? f.display_value : null; },
    getTableName: function () { return stateOf(this).table; },
    getLastErrorMessage: function () { return stateOf(this).lastError; },
  };
  for (const name of Object.keys(methods)) Object.defineProperty(GlideAggregate.prototype, name, { value: methods[name], writable: false, enumerable: false, configurable: false });
  freeze(GlideAggregate.prototype);
  return freeze(GlideAggregate);
})`;
