/**
 * ServiceNow's RESTAPIResponse (sn_ws), built inside the sandbox over the host's setStatus,
 * setHeader and setBody. Every header, whichever method sets it, goes through the host's
 * setHeader and so through the one header rule (script-headers.ts). getStreamWriter is not
 * offered: the answer is sent whole when the script ends.
 */
export const restAPIResponse = String.raw`(function restAPIResponse(hostSetStatus, hostSetHeader, hostSetBody, ServiceError) {
  "use strict";
  const stringify = JSON.stringify, freeze = Object.freeze, keys = Object.keys;
  let bodySet = false;
  const setBody = function (value) {
    bodySet = true;
    if (typeof value === "string") return void hostSetBody(value, false);
    const text = stringify(value);
    if (typeof text !== "string") throw new TypeError("the response body must be a string or a JSON value");
    hostSetBody(text, true);
  };
  const setHeaders = function (headers) {
    if (headers === null || typeof headers !== "object") throw new TypeError("response.setHeaders takes an object of header names and values");
    const names = keys(headers);
    for (let i = 0; i < names.length; i++) hostSetHeader(names[i], headers[names[i]], "setHeaders");
  };
  // The platform's error envelope, as the Table API answers its own errors. Anything other than
  // an sn_ws_err error is a 500 with the message it carries.
  const setError = function (error) {
    const typed = error instanceof ServiceError;
    const message = typed || error instanceof Error ? String(error.message) : typeof error === "string" ? error : "";
    // An error's status is a failure's (400-599); any other keeps its message and answers 500.
    const status = typed && typeof error.status === "number" && error.status % 1 === 0 && error.status >= 400 && error.status <= 599 ? error.status : 500;
    hostSetStatus(status);
    setBody({ error: { message: message, detail: typed ? String(error.detail) : "" }, status: "failure" });
  };
  const response = freeze({
    setStatus: function (code) { hostSetStatus(code); },
    setHeader: function (name, value) { hostSetHeader(name, value, "setHeader"); },
    setHeaders: setHeaders,
    setContentType: function (type) { hostSetHeader("Content-Type", type, "setContentType"); },
    // A URL's non-ASCII characters travel percent-encoded (RFC 3986), as a browser sends them.
    setLocation: function (location) { hostSetHeader("Location", typeof location === "string" ? location.replace(/[^\x00-\x7f]+/g, encodeURIComponent) : location, "setLocation"); },
    setBody: setBody,
    setError: setError,
  });
  return [response, setBody, function () { return bodySet; }];
})`;
