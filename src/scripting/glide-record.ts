import { glideConditions } from "./glide-conditions.ts";
import { glideMultiple } from "./glide-multiple.ts";

/**
 * ServiceNow's GlideRecord, built inside the sandbox over one host function that answers
 * synchronously (sync-call.ts), so ported scripts run unchanged:
 * `gr.query(); while (gr.next()) { … gr.short_description.toString() … }`. Its fields are the
 * GlideElements of glide-element.ts, shared with GlideAggregate.
 *
 * The data calls are the Table API's, acting as the caller (data-api.ts), so this behaves as
 * the platform's GlideRecordSecure: records the caller may not read are not returned, and a
 * write it may not make does not happen. As on the platform, refusals do not throw: a query
 * finds nothing, get() and deleteRecord() answer false, insert() and update() null; the reason
 * is logged and returned by getLastErrorMessage(). Only the run's limits and time throw.
 *
 * Unlike the platform, a query with an invalid part (a field the table lacks, an unknown
 * operator, a missing value) finds nothing instead of dropping that part and matching every
 * record: the platform's documentation warns that the dropped condition can turn an update or
 * delete loop into one over the whole table (the glide.invalid_query.returns_no_rows property).
 */
export const glideRecordClass = String.raw`(function glideRecordClass(call, log, elements) {
  "use strict";
  const freeze = Object.freeze, hasOwn = Object.prototype.hasOwnProperty, isArray = Array.isArray;
  const states = new WeakMap();
  const fieldName = elements.fieldName;
  const pageSize = 100, noLimit = 1e9;

  const stateOf = function (gr) {
    const s = states.get(gr);
    if (!s) throw new TypeError("not a GlideRecord");
    return s;
  };
  // What a value becomes in a field or a query: text, as the platform stores it.
  const textOf = function (value) {
    if (value === null || value === undefined) return "";
    if (elements.isElement(value)) return elements.valueOf(value);
    if (isArray(value)) return value.map(textOf).join(",");
    return String(value);
  };
  const fail = function (s, method, message) {
    s.lastError = message;
    log("GlideRecord." + method + " on " + s.table + ": " + message);
  };
  const ask = function (s, method, operation, args) {
    const answer = call(operation, args);
    if (answer.ok) return answer;
    fail(s, method, answer.message);
    return null;
  };

  // A field as read ({value, display_value}, and for a reference the table it points to), or as the script changed it.
  const field = function (s, name) {
    const stored = s.current && hasOwn.call(s.current, name) ? s.current[name] : null;
    if (hasOwn.call(s.changes, name)) return { value: s.changes[name], display_value: s.changes[name], reference: stored ? stored.reference : undefined };
    return stored || { value: "", display_value: "" };
  };
  const owner = freeze({ field: field, setValue: function (s, name, value) { s.changes[name] = textOf(value); } });

  const conditions = (${glideConditions})(textOf);
  const condition = conditions.condition, walkName = conditions.walkName;
  const encoded = function (s) {
    // sys_id last makes the order total, so pages read by offset neither skip nor repeat a record.
    return s.conditions.concat(s.orders, ["ORDERBYsys_id"]).join("^");
  };
  const multiple = (${glideMultiple})(ask, fail, encoded, pageSize);
  const fetchPage = function (s) {
    const size = Math.min(pageSize, s.limit - s.offset);
    if (size <= 0) return void (s.exhausted = true);
    const answer = ask(s, "next", "glideQuery", [s.table, encoded(s), size, s.offset]);
    s.rows = answer ? answer.value : [];
    s.index = -1;
    s.offset += s.rows.length;
    if (s.rows.length < size) s.exhausted = true;
  };
  const load = function (s, row) {
    s.current = row;
    s.changes = {};
    s.refs = {};
  };
  const fresh = function (s) {
    s.current = null;
    s.changes = {};
    s.refs = {};
    s.rows = [];
    s.index = -1;
    s.offset = 0;
    s.exhausted = true;
  };
  // After a write, the record as stored (number, defaults); when it cannot be read back, what was written.
  const reread = function (s, sysId) {
    const answer = call("glideGet", [s.table, sysId]);
    if (answer.ok && answer.value) return load(s, answer.value);
    const row = Object.assign({}, s.current || {});
    for (const name of Object.keys(s.changes)) row[name] = field(s, name);
    row.sys_id = { value: sysId, display_value: sysId };
    load(s, row);
  };

  function GlideRecord(table) {
    if (!new.target) throw new TypeError("GlideRecord must be called with new");
    const s = { table: String(table), conditions: [], orders: [], invalid: null, limit: noLimit, lastError: null, elements: {} };
    fresh(s);
    const gr = new Proxy(this, {
      get: function (target, name, receiver) {
        if (typeof name !== "string" || name in target || !fieldName.test(name)) return Reflect.get(target, name, receiver);
        // A field the loaded record lacks is undefined, as the platform answers an invalid field name.
        if (s.current && !hasOwn.call(s.current, name) && !hasOwn.call(s.changes, name)) return undefined;
        return elements.element(owner, s, name);
      },
      set: function (target, name, value, receiver) {
        if (typeof name !== "string" || name in target || !fieldName.test(name)) return Reflect.set(target, name, value, receiver);
        s.changes[name] = textOf(value);
        return true;
      },
    });
    states.set(gr, s);
    return gr;
  }
  const methods = {
    addQuery: function (name, operator, value) {
      const s = stateOf(this);
      if (arguments.length === 1) return this.addEncodedQuery(name);
      return conditions.queryCondition(s, arguments.length === 2 ? condition(s, name, "=", operator) : condition(s, name, operator, value));
    },
    addEncodedQuery: function (query) {
      // The script's own encoded query: its carets are conditions, as the author wrote them.
      if (typeof query === "string" && query !== "") stateOf(this).conditions.push(query);
    },
    // Each returns its GlideQueryCondition, as the platform lists these among addQuery's kin.
    addActiveQuery: function () { const s = stateOf(this); return conditions.queryCondition(s, condition(s, "active", "=", "true")); },
    addNullQuery: function (name) { const s = stateOf(this); return conditions.queryCondition(s, condition(s, name, "ISEMPTY")); },
    addNotNullQuery: function (name) { const s = stateOf(this); return conditions.queryCondition(s, condition(s, name, "ISNOTEMPTY")); },
    orderBy: function (name) { const s = stateOf(this); if (walkName.test(String(name))) s.orders.push("ORDERBY" + name); else s.invalid = "orderBy: not a field name"; },
    orderByDesc: function (name) { const s = stateOf(this); if (walkName.test(String(name))) s.orders.push("ORDERBYDESC" + name); else s.invalid = "orderByDesc: not a field name"; },
    setLimit: function (n) { const s = stateOf(this); const v = Number(n); if (Number.isInteger(v) && v > 0) s.limit = v; },
    getEncodedQuery: function () { return stateOf(this).conditions.concat(stateOf(this).orders).join("^"); },
    query: function (name, value) {
      const s = stateOf(this);
      if (arguments.length === 2) condition(s, name, "=", value);
      fresh(s);
      s.lastError = null;
      if (s.invalid) return fail(s, "query", s.invalid);
      s.exhausted = false;
      fetchPage(s);
    },
    hasNext: function () {
      const s = stateOf(this);
      if (s.index + 1 >= s.rows.length && !s.exhausted) fetchPage(s);
      return s.index + 1 < s.rows.length;
    },
    next: function () {
      const s = stateOf(this);
      if (!this.hasNext()) {
        s.current = null;
        return false;
      }
      s.index += 1;
      load(s, s.rows[s.index]);
      return true;
    },
    getRowCount: function () {
      const s = stateOf(this);
      if (s.exhausted) return s.offset;
      const answer = ask(s, "getRowCount", "glideCount", [s.table, encoded(s)]);
      return answer ? Math.min(answer.value, s.limit) : 0;
    },
    get: function (name, value) {
      const s = stateOf(this);
      fresh(s);
      s.lastError = null;
      let answer;
      if (arguments.length < 2) answer = ask(s, "get", "glideGet", [s.table, textOf(name)]);
      else if (typeof name !== "string" || !walkName.test(name)) fail(s, "get", "not a field name");
      else {
        answer = ask(s, "get", "glideQuery", [s.table, name + "=" + textOf(value).split("^").join("^^") + "^ORDERBYsys_id", 1, 0]);
        if (answer) answer = { value: answer.value[0] || null };
      }
      if (!answer || !answer.value) return false;
      load(s, answer.value);
      return true;
    },
    initialize: function () { fresh(stateOf(this)); },
    newRecord: function () { fresh(stateOf(this)); },
    setValue: function (name, value) { const s = stateOf(this); if (typeof name === "string" && fieldName.test(name)) s.changes[name] = textOf(value); },
    getValue: function (name) {
      const s = stateOf(this);
      if (typeof name !== "string" || !fieldName.test(name) || (s.current && !hasOwn.call(s.current, name) && !hasOwn.call(s.changes, name))) return null;
      const v = field(s, name).value;
      return v === "" ? null : String(v);
    },
    getDisplayValue: function (name) {
      const s = stateOf(this);
      // Without a field name, the record's: its table's display field, which the data call names in each row.
      if (arguments.length === 0) return s.current && typeof s.current.$display === "string" ? String(field(s, s.current.$display).display_value) : "";
      return typeof name === "string" && fieldName.test(name) ? String(field(s, name).display_value) : null;
    },
    getUniqueValue: function () { const s = stateOf(this); return s.current && s.current.sys_id ? String(s.current.sys_id.value) : null; },
    isValidRecord: function () { return this.getUniqueValue() !== null; },
    isNewRecord: function () { return this.getUniqueValue() === null; },
    getTableName: function () { return stateOf(this).table; },
    getLastErrorMessage: function () { return stateOf(this).lastError; },
    insert: function () {
      const s = stateOf(this);
      s.lastError = null;
      const answer = ask(s, "insert", "insert", [s.table, s.changes]);
      if (!answer) return null;
      reread(s, String(answer.value));
      return String(answer.value);
    },
    update: function () {
      const s = stateOf(this);
      const sysId = this.getUniqueValue();
      if (sysId === null) return this.insert();
      s.lastError = null;
      if (Object.keys(s.changes).length > 0 && !ask(s, "update", "update", [s.table, sysId, s.changes])) return null;
      reread(s, sysId);
      return sysId;
    },
    updateMultiple: function () { multiple.updateMultiple(stateOf(this)); },
    deleteMultiple: function () { multiple.deleteMultiple(stateOf(this)); },
    deleteRecord: function () {
      const s = stateOf(this);
      const sysId = this.getUniqueValue();
      s.lastError = null;
      if (sysId === null) {
        fail(s, "deleteRecord", "no record is loaded");
        return false;
      }
      if (!ask(s, "deleteRecord", "remove", [s.table, sysId])) return false;
      s.current = null;
      return true;
    },
  };
  for (const name of Object.keys(methods)) Object.defineProperty(GlideRecord.prototype, name, { value: methods[name], writable: false, enumerable: false, configurable: false });
  freeze(GlideRecord.prototype);
  return freeze(GlideRecord);
})`;
