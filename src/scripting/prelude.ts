import { glideAggregateClass } from "./glide-aggregate.ts";
import { glideElementClass } from "./glide-element.ts";
import { glideRecordClass } from "./glide-record.ts";
import { glideSystemUser } from "./glide-system-user.ts";
import { restAPIRequest } from "./rest-api-request.ts";
import { restAPIResponse } from "./rest-api-response.ts";
import { snWsErr } from "./sn-ws-err.ts";

/**
 * Evaluated in each fresh QuickJS context before the script. It closes over the host
 * functions, so the script gets `request`, `response` (ServiceNow's RESTAPIRequest and
 * RESTAPIResponse), `gs` (its log and user functions), `table`, `sn_ws_err` and the globals `GlideRecord` and `GlideAggregate` but never the raw host object; everything
 * it hands the host is a string or a number. It returns `[describe, start]`: describe turns
 * any thrown value into JSON text without trusting it, start runs the compiled script and
 * yields the promise of its completion.
 */
export const prelude = String.raw`
(function install(host, requestJson) {
  "use strict";
  const hostSetStatus = host.setStatus, hostSetHeader = host.setHeader, hostSetBody = host.setBody, hostLog = host.log, hostData = host.data, hostDataSync = host.dataSync;
  const parse = JSON.parse, stringify = JSON.stringify, freeze = Object.freeze;
  const describe = function (e) {
    try {
      if (e instanceof Error) return stringify({ name: String(e.name), message: String(e.message), stack: String(e.stack || "") });
      let message;
      if (typeof e === "string") message = e;
      else if (e === null || (typeof e !== "object" && typeof e !== "function")) message = typeof e === "symbol" ? "a symbol" : String(e);
      else message = "a value that is not an Error (" + typeof e + ")";
      return stringify({ name: "Thrown value", message: message, stack: "" });
    } catch (_) {
      return stringify({ name: "Thrown value", message: "a value that cannot be read", stack: "" });
    }
  };
  const line = function (args) {
    let out = "";
    for (let i = 0; i < args.length; i++) out += (i ? " " : "") + (typeof args[i] === "string" ? args[i] : typeof args[i] === "symbol" ? "symbol" : String(stringify(args[i])));
    return out;
  };
  const sent = parse(requestJson);
  const user = (${glideSystemUser})(sent);
  const request = (${restAPIRequest})(sent);
  const sn_ws_err = (${snWsErr})();
  const built = (${restAPIResponse})(hostSetStatus, hostSetHeader, hostSetBody, sn_ws_err.ServiceError);
  const response = built[0], setBody = built[1], bodySet = built[2];
  const gs = freeze({
    info: function () { hostLog("info", line(arguments)); },
    warn: function () { hostLog("warn", line(arguments)); },
    error: function () { hostLog("error", line(arguments)); },
    getUserID: user.getID,
    getUserName: user.getName,
    getUserDisplayName: user.getDisplayName,
    hasRole: user.hasRole,
    isLoggedIn: user.isLoggedIn,
    getUser: function () { return user; },
  });
  const data = function (op, args) { return hostData(op, stringify(args)).then(parse); };
  const table = freeze({
    get: function (name, sysId) { return data("get", [name, sysId]); },
    query: function (name, encodedQuery, limit) { return data("query", [name, encodedQuery === undefined ? "" : encodedQuery, limit === undefined ? 100 : limit]); },
    insert: function (name, fields) { return data("insert", [name, fields]); },
    update: function (name, sysId, fields) { return data("update", [name, sysId, fields]); },
    remove: function (name, sysId) { return data("remove", [name, sysId]); },
  });
  const callSync = function (op, args) { return parse(hostDataSync(op, stringify(args))); }, warn = function (text) { hostLog("warn", text); };
  // Globals, as on the platform: ported scripts name them without declaring them.
  // One GlideElement for both classes; a walk reads through a GlideRecord, made only once a script runs.
  const elements = (${glideElementClass})(function (table) { return new GlideRecord(table); });
  const GlideRecord = (${glideRecordClass})(callSync, warn, elements);
  Object.defineProperty(globalThis, "GlideRecord", { value: GlideRecord, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(globalThis, "GlideAggregate", { value: (${glideAggregateClass})(callSync, warn, elements), writable: false, enumerable: false, configurable: false });
  // The platform answers an sn_ws_err error a script returns or throws as response.setError would.
  const start = function (compiled) {
    return (async function () {
      let result;
      try {
        result = await compiled.call(undefined, request, response, gs, table, sn_ws_err);
      } catch (e) {
        if (e instanceof sn_ws_err.ServiceError) return void response.setError(e);
        throw e;
      }
      if (result instanceof sn_ws_err.ServiceError) return void response.setError(result);
      if (result !== undefined && !bodySet()) setBody(result);
    })();
  };
  return [describe, start];
})
`;

/** The names a script reads as its function's parameters, in the order start passes them. */
export const scriptParameters = "request, response, gs, table, sn_ws_err";

/** What wrapScript writes before the script: line 1 of the script is on line 1 of its file, this many columns in. */
export const scriptHead = `(async function (${scriptParameters}) {`;

/** The script becomes the body of an async function; the line break keeps a closing line comment off the brace. */
export const wrapScript = (script: string) => `${scriptHead}${script}\n})`;
