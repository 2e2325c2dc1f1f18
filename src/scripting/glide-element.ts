/**
 * ServiceNow's GlideElement, built once inside the sandbox and shared by GlideRecord
 * (glide-record.ts), whose elements are the loaded record's fields, and GlideAggregate
 * (glide-aggregate.ts), whose elements are the current group's values: `gr.caller_id` and
 * `ga.caller_id` are the same kind of object, and either may be given where a value is.
 *
 * An element reads its owner each time, so it follows the owner to the next record or group.
 * The owner answers for it: `owner.field(s, name)` is `{value, display_value}` as its state `s`
 * holds it now (and, for a reference, the table it points to), `owner.setValue(s, name, value)`
 * changes it. `s.elements` keeps one element per name, `s.refs` the records walked to, which the
 * owner empties when it moves to another record. `newRecord(table)` makes the GlideRecord a walk
 * or getRefRecord() reads. An owner holding walked values itself (a GlideAggregate grouped by
 * `caller_id.department`) answers `owner.walk(s, path)` with the element for that path, or null
 * to let the walk read the referenced record.
 */
export const glideElementClass = String.raw`(function glideElementClass(newRecord) {
  "use strict";
  const freeze = Object.freeze, hasOwn = Object.prototype.hasOwnProperty;
  const fieldName = /^[a-z][a-z0-9_]*$/;
  const elements = new WeakMap();

  function GlideElement() { throw new TypeError("a GlideElement comes from a GlideRecord's field"); }
  const it = function (e) {
    const found = elements.get(e);
    if (!found) throw new TypeError("not a GlideElement");
    return found;
  };
  const fieldOf = function (found) { return found.owner.field(found.s, found.name); };
  // Read as get(sys_id) would, as the caller: nothing loaded when the reference is empty or the record cannot be read.
  const open = function (table, id) {
    const gr = newRecord(table);
    if (id !== "") gr.get(id);
    return gr;
  };
  // The record a reference points to, read once per record or group the owner is on.
  const referenced = function (found) {
    const f = fieldOf(found), refs = found.s.refs, name = found.name;
    if (!f.reference) return null;
    const id = String(f.value);
    if (hasOwn.call(refs, name) && refs[name].id === id) return refs[name].gr;
    const gr = open(f.reference, id);
    refs[name] = { id: id, gr: gr };
    return gr;
  };
  const element = function (owner, s, name) {
    if (!hasOwn.call(s.elements, name)) {
      const found = { owner: owner, s: s, name: name };
      // A name that is not the element's own reads the referenced record's field (gr.caller_id.name),
      // itself an element; undefined where the field is not a reference or that table lacks it.
      const e = new Proxy(freeze(Object.create(GlideElement.prototype)), {
        get: function (target, key, receiver) {
          if (typeof key !== "string" || key in target || !fieldName.test(key)) return Reflect.get(target, key, receiver);
          const held = found.owner.walk ? found.owner.walk(found.s, found.name + "." + key) : null;
          if (held) return held;
          const ref = referenced(found);
          return ref ? ref[key] : undefined;
        },
        set: function () { return false; },
        defineProperty: function () { return false; },
      });
      elements.set(e, found);
      s.elements[name] = e;
    }
    return s.elements[name];
  };
  const valueOf = function (e) { return fieldOf(it(e)).value; };
  GlideElement.prototype.toString = function () { return valueOf(this); };
  GlideElement.prototype.getDisplayValue = function () { return String(fieldOf(it(this)).display_value); };
  GlideElement.prototype.nil = function () { return valueOf(this) === ""; };
  // A walked element is named by its own field, as gr.caller_id.department's is: department.
  GlideElement.prototype.getName = function () { return it(this).name.split(".").pop(); };
  GlideElement.prototype.setValue = function (value) { const found = it(this); found.owner.setValue(found.s, found.name, value); };
  // A GlideRecord of the script's own; null for a field that is not a reference.
  GlideElement.prototype.getRefRecord = function () {
    const f = fieldOf(it(this));
    return f.reference ? open(f.reference, String(f.value)) : null;
  };
  freeze(GlideElement.prototype);
  freeze(GlideElement);
  return freeze({ fieldName: fieldName, element: element, isElement: function (value) { return elements.has(value); }, valueOf: valueOf });
})`;
