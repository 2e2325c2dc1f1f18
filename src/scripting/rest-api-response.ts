/**
 * ServiceNow's RESTAPIResponse and RESTAPIResponseStream (sn_ws), built inside the sandbox over
 * the host's setStatus, setHeader and setBody. Every header, whichever method sets it, goes
 * through the host's setHeader and so through the one header rule (script-headers.ts).
 *
 * A response is either serialized or streamed. Serialized: the platform sends what setBody was
 * given, or what the script returned, as {"result": …}, whatever its type (its "Scripted REST API
 * example" answers {"result":{"id":1234,…}}, its array example {"result":[…]}); setError's
 * envelope is the exception. Streamed: getStreamWriter().writeString(text) sends text as written,
 * with no wrapper, and the platform's response fails unless the status and content type were set
 * before the first write, and they cannot change after it (RESTAPIResponseStream). The answer
 * still goes out whole when the script ends; only its shape is the platform's.
 */
export const restAPIResponse = String.raw`(function restAPIResponse(hostSetStatus, hostSetHeader, hostSetBody, ServiceError) {
  "use strict";
  const stringify = JSON.stringify, freeze = Object.freeze, keys = Object.keys, lower = String.prototype.toLowerCase;
  let bodySet = false, statusSet = false, typeSet = false, writing = false;
  const notWritten = function (method) {
    if (writing) throw new Error("response." + method + ": the response is being written by getStreamWriter(), so its status, headers and body can no longer change");
  };
  const header = function (name, value, method) {
    notWritten(method);
    hostSetHeader(name, value, method);
    if (typeof name === "string" && lower.call(name) === "content-type") typeSet = true;
  };
  const setBody = function (value) {
    notWritten("setBody");
    const text = stringify(value);
    if (typeof text !== "string") throw new TypeError("the response body must be a JSON value");
    bodySet = true;
    hostSetBody('{"result":' + text + "}", "json");
  };
  const setHeaders = function (headers) {
    if (headers === null || typeof headers !== "object") throw new TypeError("response.setHeaders takes an object of header names and values");
    const names = keys(headers);
    for (let i = 0; i < names.length; i++) header(names[i], headers[names[i]], "setHeaders");
  };
  // The platform's error envelope, as the Table API answers its own errors, never inside "result".
  // Anything other than an sn_ws_err error is a 500 with the message it carries.
  const setError = function (error) {
    notWritten("setError");
    const typed = error instanceof ServiceError;
    const message = typed || error instanceof Error ? String(error.message) : typeof error === "string" ? error : "";
    // An error's status is a failure's (400-599); any other keeps its message and answers 500.
    const status = typed && typeof error.status === "number" && error.status % 1 === 0 && error.status >= 400 && error.status <= 599 ? error.status : 500;
    hostSetStatus(status);
    bodySet = true;
    hostSetBody(stringify({ error: { message: message, detail: typed ? String(error.detail) : "" }, status: "failure" }), "json");
  };
  // Text in the platform's Rhino is whatever String() makes of the value; a body set whole before
  // it would leave two answers in one, so that is refused rather than guessed at.
  const writeString = function (data) {
    if (bodySet) throw new Error("writeString: the body was already set with setBody or setError; a response is either set whole or written as a stream");
    if (!statusSet || !typeSet) throw new Error("writeString: set the status (response.setStatus) and the content type (response.setContentType) before writing, as the platform requires; without them its response fails");
    writing = true;
    hostSetBody(String(data), "append");
  };
  const writeStream = function () {
    throw new Error("writeStream: there are no streams in this sandbox (no attachments or outbound responses); write text with writeString");
  };
  const writer = freeze({ writeString: writeString, writeStream: writeStream });
  const response = freeze({
    setStatus: function (code) { notWritten("setStatus"); hostSetStatus(code); statusSet = true; },
    setHeader: function (name, value) { header(name, value, "setHeader"); },
    setHeaders: setHeaders,
    setContentType: function (type) { header("Content-Type", type, "setContentType"); },
    // A URL's non-ASCII characters travel percent-encoded (RFC 3986), as a browser sends them.
    setLocation: function (location) { header("Location", typeof location === "string" ? location.replace(/[^\x00-\x7f]+/g, encodeURIComponent) : location, "setLocation"); },
    setBody: setBody,
    setError: setError,
    getStreamWriter: function () { return writer; },
  });
  // A value the script returns is ignored once it has written: the stream is the answer.
  return [response, setBody, function () { return bodySet || writing; }];
})`;
