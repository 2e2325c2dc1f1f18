import type { LocalText } from "../i18n/translator.ts";

/** Why a PostgreSQL database could not be used, said with what to do about it. */
export interface ConnectProblem {
  text: LocalText;
  /**
   * `lasting`: DATABASE_URL or the server's configuration must change, or the server let
   * PORTCULLIS_DB_TIMEOUT_MS pass unanswered, so trying again at once meets the same answer;
   * `passing`: a server still starting, restarting or full may answer soon.
   */
  kind: "lasting" | "passing";
}

/**
 * The operator's sentence for a database never reached at start: pg's own words name a cause
 * ("connect ECONNREFUSED", "password must be a string") but not the setting to change.
 * `location` is the store's URL with its password masked; server error codes are PostgreSQL's
 * (Appendix A: 28P01 invalid_password, 28000 invalid_authorization_specification, 3D000
 * invalid_catalog_name, 53300 too_many_connections).
 */
export function postgresConnectProblem(error: unknown, location: string): ConnectProblem {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const reason = typeof message === "string" && message ? message : String(error);
  const values = { location, ...urlParts(location), reason };
  const said = (key: string, kind: ConnectProblem["kind"]): ConnectProblem => ({ text: { key: `store.postgres.${key}` as LocalText["key"], values }, kind });
  if (code === "ECONNREFUSED") return said("refused", "passing");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return said("unknownHost", "lasting");
  if (code === "28P01") return said("badPassword", "lasting");
  if (code === "28000" && /no PostgreSQL user name specified/.test(reason)) return said("noUser", "lasting");
  if (code === "28000") return said("refusedUser", "lasting");
  if (code === "3D000") return said("noDatabase", "lasting");
  if (code === "53300") return said("tooMany", "passing");
  if (typeof code === "string" && untrustedCertificateCodes.has(code)) return said("untrustedCertificate", "lasting");
  if (/client password must be a (string|non-empty string)/.test(reason)) return said("noPassword", "lasting");
  if (/does not support SSL/i.test(reason)) return said("noSsl", "lasting");
  if (/connection timeout/i.test(reason)) return said("silent", "lasting");
  if (/Connection terminated unexpectedly/i.test(reason)) return said("closed", "passing");
  return said("other", "passing");
}

/** Node's TLS verification failures (sslmode=require is verify-full to pg: the certificate and its host name are checked). */
const untrustedCertificateCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The parts of DATABASE_URL a cure names; libpq's defaults where the URL leaves one out. */
function urlParts(location: string): { host: string; port: string; user: string; database: string } {
  const url = URL.parse(location) ?? new URL("postgres://localhost");
  // pg's default when the URL names none, as libpq's is the system user.
  const user = decodeURIComponent(url.username) || process.env.USER || "USER";
  return {
    host: url.hostname || "localhost",
    port: url.port || "5432",
    user,
    database: decodeURIComponent(url.pathname.slice(1)) || user,
  };
}
