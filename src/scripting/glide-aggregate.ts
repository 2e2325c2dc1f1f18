import { trendIntervals, unpublishedTrendIntervals } from "../domain/aggregate-trend.ts";
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
 * A group's value also reads as a property, as the platform's examples read `count.category`:
 * the GlideElement a GlideRecord's field is (glide-element.ts), so `ga.caller_id.getDisplayValue()`
 * and `ga.caller_id.name` (a walk to the referenced record) work as they do on a record. A walked
 * group reads the same way, as GlideRecord's dot-walk syntax does: grouped by `caller_id.department`,
 * `ga.caller_id.department` is that group's value (no record is read for it), and `ga.caller_id`,
 * not itself a group, holds no value, as getValue('caller_id') is null for a field outside the result.
 *
 * addHaving, orderBy, orderByDesc and orderByAggregate become the Aggregate API's having and order.
 * As the platform documents, COUNT of a field groups by it when nothing else does
 * (`addAggregate('COUNT', 'category')` counts each category), orderBy adds its field to the groups,
 * and setGroup(false) groups by nothing: one row over every record.
 *
 * addTrend groups by a period of a date-time first (aggregate-trend.ts), read as getValue('timeref'),
 * whatever setGroup says, as the platform's examples trend with setGroup(false). The intervals
 * the platform documents without showing their values throw, as an unknown method does, rather
 * than answer with periods of our own making. getAggregateEncodedQuery() (getQuery() in the
 * global API) is the encoded query of the current group's records (glide-aggregate-query.ts).
 *
 * Refusals do not throw, as GlideRecord's do not: the query finds no groups, and
 * getLastErrorMessage() says why; an invalid query finds nothing.
 */
export const glideAggregateClass = String.raw`(function glideAggregateClass(call, log, elements) {
  "use strict";
  const freeze = Object.freeze, hasOwn = Object.prototype.hasOwnProperty, isArray = Array.isArray;
  const states = new WeakMap();
  const kinds = { COUNT: "count", SUM: "sum", AVG: "avg", MIN: "min", MAX: "max" };
  const intervals = ${JSON.stringify(trendIntervals)}, unpublished = ${JSON.stringify(unpublishedTrendIntervals)};
  const textOf = function (value) {
    if (value === null || value === undefined) return "";
    if (elements.isElement(value)) return elements.valueOf(value);
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
  const havingOperators = ["=", "!=", ">", ">=", "<", "<="];
  const kindOf = function (kind) { return typeof kind === "string" && hasOwn.call(kinds, kind.toUpperCase()) ? kinds[kind.toUpperCase()] : null; };
  const group = function (s) { return s.index >= 0 && s.index < s.rows.length ? s.rows[s.index] : null; };
  const fieldsOf = function (s) { const row = group(s); return row && row.groupby_fields ? row.groupby_fields : []; };
  const groupField = function (s, name) { return fieldsOf(s).filter(function (f) { return f.field === name; })[0] || null; };
  // A group's own name, or the start of a walked group's path (caller_id of caller_id.department).
  const grouped = function (s, name) { return fieldsOf(s).some(function (f) { return f.field === name || f.field.indexOf(name + ".") === 0; }); };
  // A group's values as GlideElements (ga.category, ga.caller_id.name): read-only, a group is no record to write.
  const owner = freeze({
    field: function (s, name) { return groupField(s, name) || { value: "", display_value: "" }; },
    setValue: function (s, name) { fail(s, "setValue", name + " is a group's value; a GlideAggregate writes nothing"); },
    walk: function (s, path) { return grouped(s, path) ? elements.element(owner, s, path) : null; },
  });
  const onGroup = function (s, index) {
    s.index = index;
    s.refs = {};
  };

  function GlideAggregate(table) {
    if (!new.target) throw new TypeError("GlideAggregate must be called with new");
    const s = { table: String(table), conditions: [], invalid: null, aggregates: [], countFields: [], groups: [], having: [], orders: [], group: true, window: null, trend: null, yearIncluded: true, asked: null, rows: [], index: -1, lastError: null, elements: {}, refs: {} };
    // As GlideRecord's fields: a name the current group is grouped by reads as its element, any other is undefined.
    const ga = new Proxy(this, {
      get: function (target, name, receiver) {
        if (typeof name !== "string" || name in target || !elements.fieldName.test(name)) return Reflect.get(target, name, receiver);
        return grouped(s, name) ? elements.element(owner, s, name) : undefined;
      },
      set: function (target, name, value, receiver) {
        if (typeof name !== "string" || name in target || !elements.fieldName.test(name)) return Reflect.set(target, name, value, receiver);
        owner.setValue(s, name);
        return true;
      },
    });
    states.set(ga, s);
    return ga;
  }
  const named = function (s, method, name) {
    if (typeof name === "string" && conditions.walkName.test(name)) return true;
    s.invalid = method + ": " + JSON.stringify(String(name)).slice(0, 80) + " is not a field name";
    return false;
  };
  // An aggregate another method names: its kind, and its field (null for COUNT, which counts a group's records); null when invalid.
  const aggregateOf = function (s, method, kind, field) {
    const k = kindOf(kind);
    if (!k) s.invalid = method + ": unknown aggregate " + JSON.stringify(String(kind)).slice(0, 40) + "; COUNT, SUM, AVG, MIN or MAX";
    else if (k === "count") return field === undefined || field === null || named(s, method, field) ? [k, null] : null;
    else if (field === undefined || field === null) s.invalid = method + ": " + k.toUpperCase() + " needs a field name";
    else if (named(s, method, field)) return [k, field];
    return null;
  };
  const orderByField = function (s, method, name, descending) {
    if (!named(s, method, name)) return;
    // As the platform documents: the field is also added to the group-by list.
    if (s.groups.indexOf(name) < 0) s.groups.push(name);
    s.orders.push(["field", name, descending]);
  };
  const rowNumber = function (value) {
    const n = typeof value === "string" && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  };
  const numberText = /^-?[0-9]+(\.[0-9]+)?$/;
  const totalRefused = function (s, message) { fail(s, "getTotal", message); return null; };
  // The groups the query makes: those named, else COUNT's fields; none with setGroup(false).
  const groupsOf = function (s) { return !s.group ? [] : s.groups.length > 0 ? s.groups : s.countFields; };
  const methods = {
    addQuery: function (name, operator, value) {
      const s = stateOf(this);
      if (arguments.length === 1) return this.addEncodedQuery(name);
      return conditions.queryCondition(s, arguments.length === 2 ? conditions.condition(s, name, "=", operator) : conditions.condition(s, name, operator, value));
    },
    addEncodedQuery: function (query) { if (typeof query === "string" && query !== "") stateOf(this).conditions.push(query); },
    addNullQuery: function (name) { const s = stateOf(this); return conditions.queryCondition(s, conditions.condition(s, name, "ISEMPTY")); },
    addNotNullQuery: function (name) { const s = stateOf(this); return conditions.queryCondition(s, conditions.condition(s, name, "ISNOTEMPTY")); },
    // COUNT counts the records of each group; a field named with it is a group (groupsOf).
    addAggregate: function (kind, field) {
      const s = stateOf(this), k = kindOf(kind);
      if (!k) s.invalid = "addAggregate: unknown aggregate " + JSON.stringify(String(kind)).slice(0, 40) + "; COUNT, SUM, AVG, MIN or MAX";
      else if (k !== "count" && (typeof field !== "string" || !conditions.walkName.test(field))) s.invalid = "addAggregate: " + k.toUpperCase() + " needs a field name";
      else if (k !== "count") s.aggregates.push([k, field]);
      else if (field === undefined || field === null || named(s, "addAggregate", field)) {
        s.aggregates.push([k, null]);
        if (typeof field === "string" && s.countFields.indexOf(field) < 0) s.countFields.push(field);
      }
    },
    groupBy: function (name) {
      const s = stateOf(this);
      if (typeof name === "string" && conditions.walkName.test(name)) s.groups.push(name);
      else s.invalid = "groupBy: not a field name";
    },
    orderBy: function (name) { orderByField(stateOf(this), "orderBy", name, false); },
    orderByDesc: function (name) { orderByField(stateOf(this), "orderByDesc", name, true); },
    // Largest first: the platform's documented example lists the categories by COUNT from 18 down to 2.
    orderByAggregate: function (kind, field) {
      const s = stateOf(this), a = aggregateOf(s, "orderByAggregate", kind, field);
      if (a) s.orders.push([a[0], a[1], true]);
    },
    // addHaving(aggregate, operator, value), or addHaving(aggregate, field, operator, value) as the platform's two forms.
    addHaving: function (kind, field, operator, value) {
      const s = stateOf(this);
      if (arguments.length === 3) return this.addHaving(kind, null, field, operator);
      const a = aggregateOf(s, "addHaving", kind, field);
      if (!a) return;
      if (havingOperators.indexOf(operator) < 0) s.invalid = "addHaving: unknown operator " + JSON.stringify(String(operator)).slice(0, 40) + "; " + havingOperators.join(" ");
      else if (value === null || value === undefined || textOf(value).trim() === "") s.invalid = "addHaving: no value to compare " + a[0].toUpperCase() + " with";
      else s.having.push([a[0], a[1], operator, textOf(value).trim()]);
    },
    setGroup: function (group) { stateOf(this).group = !!group; },
    // The platform's setAggregateWindow(firstRow, lastRow) "limits the number of rows from the table to
    // include in the aggregate query", zero-based, first inclusive, last exclusive, and its example counts
    // categories over the first ten incidents: a window on the records, before they are grouped. The docs
    // name no order for "first"; these are the records as a GlideRecord with the same query reads them
    // (its ORDERBY, then sys_id, which is creation order).
    setAggregateWindow: function (first, last) {
      const s = stateOf(this), a = rowNumber(first), b = rowNumber(last);
      if (a === null || b === null || b < a) s.invalid = "setAggregateWindow: firstRow and lastRow are whole numbers with 0 <= firstRow <= lastRow, not " + JSON.stringify([textOf(first), textOf(last)]).slice(0, 80);
      else s.window = [a, b];
    },
    // The platform's list of intervals omits month, though its addTrend examples use it, in either case ('Month').
    addTrend: function (field, interval, units) {
      const s = stateOf(this), name = typeof interval === "string" ? interval.toLowerCase() : interval;
      if (unpublished.indexOf(name) >= 0) throw new Error("GlideAggregate.addTrend: the " + name + " interval is not supported here: the platform does not publish how its periods read; " + intervals.join(", ") + " are");
      if (!named(s, "addTrend", field)) return;
      if (intervals.indexOf(name) < 0) s.invalid = "addTrend: unknown interval " + JSON.stringify(textOf(interval)).slice(0, 40) + "; " + intervals.join(", ");
      else if (units !== undefined && units !== null) s.invalid = "addTrend: a number of units applies to the minute interval only";
      else if (s.trend) s.invalid = "addTrend: one trend per GlideAggregate; it trends " + s.trend[0] + " by " + s.trend[1] + " already";
      else s.trend = [field, name];
    },
    setIntervalYearIncluded: function (included) { stateOf(this).yearIncluded = !!included; },
    getEncodedQuery: function () { return stateOf(this).conditions.join("^"); },
    // "" before next(), past the last group and without groups; a group no encoded query selects throws.
    getAggregateEncodedQuery: function () {
      const row = group(stateOf(this));
      if (row && typeof row.encoded_query_refused === "string") throw new Error("GlideAggregate.getAggregateEncodedQuery: " + row.encoded_query_refused);
      return row && typeof row.encoded_query === "string" ? row.encoded_query : "";
    },
    getQuery: function () { return this.getAggregateEncodedQuery(); },
    query: function () {
      const s = stateOf(this);
      s.rows = [];
      onGroup(s, -1);
      s.lastError = null;
      s.asked = s.aggregates.slice();
      if (s.invalid) return fail(s, "query", s.invalid);
      const groups = groupsOf(s), trend = s.trend ? [s.trend[0], s.trend[1], s.yearIncluded] : null;
      // Ungrouped there is one row, and nothing to order.
      const answer = call("glideAggregate", [s.table, s.conditions.join("^"), s.aggregates, groups, s.having, groups.length > 0 || trend ? s.orders : [], s.window, trend]);
      if (answer.ok) s.rows = answer.value;
      else fail(s, "query", answer.message);
    },
    hasNext: function () { const s = stateOf(this); return s.index + 1 < s.rows.length; },
    next: function () {
      const s = stateOf(this);
      if (s.index < s.rows.length) onGroup(s, s.index + 1);
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
    // The platform's getTotal "returns the number of records by summing an aggregate", and its example
    // totals COUNT over the groups (1 + 5 + 10 = 16): the aggregate summed over every group found, as a
    // Number; 0 when there were none. The text says summing for every kind, so AVG, MIN and MAX are summed
    // too (of numbers only). null, with getLastErrorMessage() saying why, for an aggregate not asked for.
    getTotal: function (kind, field) {
      const s = stateOf(this), k = kindOf(kind);
      if (!k) return totalRefused(s, "unknown aggregate " + JSON.stringify(String(kind)).slice(0, 40) + "; COUNT, SUM, AVG, MIN or MAX");
      if (!s.asked) return totalRefused(s, "no query() to total");
      const named = k === "count" ? null : field;
      if (named !== null && typeof named !== "string") return totalRefused(s, k.toUpperCase() + " needs a field name");
      if (!s.asked.some(function (a) { return a[0] === k && a[1] === named; })) return totalRefused(s, k.toUpperCase() + (named === null ? "" : " of " + textOf(named)) + " was not asked for with addAggregate");
      let total = 0, decimals = 0;
      for (const row of s.rows) {
        const text = k === "count" ? row.stats.count : row.stats[k] && row.stats[k][named];
        if (text === undefined || text === null || text === "") continue;
        if (!numberText.test(text)) return totalRefused(s, k.toUpperCase() + " of " + named + " is " + JSON.stringify(text).slice(0, 40) + ", not a number to sum");
        total += Number(text);
        decimals = Math.max(decimals, (text.split(".")[1] || "").length);
      }
      // Summed as the texts read: 2.3333 + 1.5 is 3.8333, not 3.8333000000000004.
      return Number(total.toFixed(decimals));
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
