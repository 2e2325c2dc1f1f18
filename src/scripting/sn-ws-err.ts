/**
 * sn_ws_err, the error types ServiceNow documents for response.setError ("Scripted REST API
 * example - script samples"): ServiceError with a status, message and detail of the script's
 * choosing, and one type per common refusal with its status fixed. Built inside the sandbox;
 * the namespace, the classes and their prototypes are frozen.
 */
export const snWsErr = String.raw`(function snWsErr() {
  "use strict";
  const freeze = Object.freeze;
  class ServiceError extends Error {
    constructor(message) {
      super(message === undefined ? "" : String(message));
      this.name = "ServiceError";
      this.status = 500;
      this.detail = "";
    }
    setStatus(status) { this.status = status; }
    setMessage(message) { this.message = String(message); }
    setDetail(detail) { this.detail = String(detail); }
    getStatus() { return this.status; }
    getMessage() { return this.message; }
    getDetail() { return this.detail; }
  }
  const kind = function (name, status) {
    const Kind = class extends ServiceError {
      constructor(message) {
        super(message);
        this.name = name;
        this.status = status;
      }
    };
    Object.defineProperty(Kind, "name", { value: name });
    return Kind;
  };
  const namespace = {
    ServiceError: ServiceError,
    BadRequestError: kind("BadRequestError", 400),
    NotFoundError: kind("NotFoundError", 404),
    NotAcceptableError: kind("NotAcceptableError", 406),
    ConflictError: kind("ConflictError", 409),
    UnsupportedMediaTypeError: kind("UnsupportedMediaTypeError", 415),
  };
  for (const name in namespace) {
    freeze(namespace[name].prototype);
    freeze(namespace[name]);
  }
  return freeze(namespace);
})`;
