/**
 * ServiceNow's RESTAPIRequest and RESTAPIRequestBody (sn_ws), built inside the sandbox from the
 * plain data the dispatcher sends (src/http/scripted-rest/script-request.ts). The prelude
 * evaluates this function before the script runs; it touches no host function, so all it
 * hands the script is frozen data and functions over that data.
 */
export const restAPIRequest = String.raw`(function restAPIRequest(sent) {
  "use strict";
  const freeze = Object.freeze, keys = Object.keys, define = Object.defineProperty, isArray = Array.isArray;
  const hasOwn = Object.prototype.hasOwnProperty;
  const lower = String.prototype.toLowerCase;
  const own = function (object, name) { return hasOwn.call(object, name); };

  // Node hands over header names in lowercase; the documentation reads headers.Accept and
  // getHeader('accept'), so a name is looked up without regard to case. The proxy only reads
  // the frozen object behind it: keys, JSON and setting a header behave as on that object.
  const headerValues = freeze(sent.headers || {});
  const headerName = function (name) { return typeof name === "string" ? lower.call(name) : name; };
  const headers = new Proxy(headerValues, {
    get: function (target, name) { const key = headerName(name); return own(target, key) ? target[key] : target[name]; },
    has: function (target, name) { return own(target, headerName(name)) || name in target; },
  });
  const getHeader = function (name) {
    const key = headerName(String(name));
    return own(headerValues, key) ? headerValues[key] : undefined;
  };
  // The media types the Accept header lists, in its order, without their parameters (q=…).
  const getSupportedResponseContentTypes = function () {
    const accept = getHeader("accept");
    if (typeof accept !== "string") return [];
    return accept.split(",").map(function (type) { return type.split(";")[0].trim(); }).filter(function (type) { return type !== ""; });
  };

  // RESTAPIRequestBody. The platform's note that data and dataString consume one stream (the
  // second read is empty) is not imitated: here both can be read, and nextEntry iterates apart.
  const documented = ["data", "dataString", "dataStream", "hasNext", "nextEntry"];
  const sentBody = sent.body || { dataString: "" };
  const data = sentBody.data;
  const entries = data === undefined || data === null ? [] : isArray(data) ? data : [data];
  let next = 0;
  const body = {};
  // Scripts written before RESTAPIRequestBody read request.body as the parsed object itself:
  // its fields stay readable there (enumerable, so JSON of request.body is still that object),
  // except a field named like a documented member, which the member shadows.
  if (data !== null && typeof data === "object" && !isArray(data)) {
    const names = keys(data);
    for (let i = 0; i < names.length; i++) if (documented.indexOf(names[i]) < 0) define(body, names[i], { value: data[names[i]], enumerable: true });
  }
  define(body, "data", { value: data });
  define(body, "dataString", { value: sentBody.dataString });
  define(body, "hasNext", { value: function hasNext() { return next < entries.length; } });
  define(body, "nextEntry", { value: function nextEntry() { return next < entries.length ? entries[next++] : undefined; } });

  return freeze({
    method: sent.method,
    uri: sent.uri,
    url: sent.url,
    queryString: sent.queryString,
    pathParams: sent.pathParams,
    queryParams: sent.queryParams,
    headers: headers,
    getHeader: getHeader,
    getSupportedResponseContentTypes: getSupportedResponseContentTypes,
    body: freeze(body),
    userName: sent.userName,
    roles: sent.roles,
  });
})`;
