/**
 * GlideRecord's updateMultiple() and deleteMultiple() (glide-record.ts): the same per-record
 * `update` and `remove` data calls as update() and deleteRecord(), so each record passes the
 * caller's ACL, validation and audit, and each counts toward the run's data calls.
 *
 * Every matching sys_id is read before the first write: a write can take a record out of the
 * query (`state=1`, set to 2), which would move the pages under a loop that read by offset and
 * skip records. An invalid query finds nothing, so it writes nothing; the first refusal stops
 * the loop, as the same change would be refused again, and getLastErrorMessage() says why.
 */
export const glideMultiple = String.raw`(function glideMultiple(ask, fail, encoded, pageSize) {
  "use strict";
  const matching = function (s, method) {
    if (s.invalid) return void fail(s, method, s.invalid);
    const ids = [];
    for (let offset = 0; offset < s.limit; ) {
      const size = Math.min(pageSize, s.limit - offset);
      const answer = ask(s, method, "glideQuery", [s.table, encoded(s), size, offset]);
      if (!answer) return null;
      for (const row of answer.value) ids.push(String(row.sys_id.value));
      offset += answer.value.length;
      if (answer.value.length < size) break;
    }
    return ids;
  };
  const each = function (s, method, operation, argsOf) {
    s.lastError = null;
    const ids = matching(s, method) || [];
    for (const id of ids) if (!ask(s, method, operation, argsOf(id))) return;
  };
  return Object.freeze({
    updateMultiple: function (s) {
      const changes = Object.assign({}, s.changes);
      if (Object.keys(changes).length === 0) return;
      each(s, "updateMultiple", "update", function (id) { return [s.table, id, changes]; });
    },
    deleteMultiple: function (s) { each(s, "deleteMultiple", "remove", function (id) { return [s.table, id]; }); },
  });
})`;
