import type { LocalText, MessageValues } from "./i18n/translator.ts";

/**
 * A setting refused at start, in the operator's words: which flag or variable, the value given,
 * and what it must be, rather than the schema library's "expected number, received NaN".
 */
const flags: Record<string, string> = {
  dataDir: "--data",
  port: "--port",
  host: "--host",
  publicUrl: "--public-url",
  movePublicUrl: "--move-public-url",
  tlsCert: "--tls-cert",
  tlsKey: "--tls-key",
  hostnames: "--hostname",
  trustProxy: "--trust-proxy",
  allowInsecureBind: "--insecure-bind",
  workers: "--workers",
};

/** Never echoed: a password, a key, a database URL with its password. */
const secret = new Set(["adminPassword", "secretKey", "databaseUrl"]);

/** The parts of a schema issue this reads (zod's issue shape). */
export interface SchemaIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  values?: unknown[];
  format?: unknown;
  origin?: unknown;
}

function detail(issue: SchemaIssue): LocalText {
  if (issue.code === "invalid_type" && (issue.expected === "number" || issue.expected === "int")) return { key: "config.invalid.wholeNumber" };
  if (issue.code === "too_big") return { key: "config.invalid.atMost", values: { limit: String(issue.maximum) } };
  if (issue.code === "too_small" && issue.origin === "string" && issue.minimum === 1) return { key: "config.invalid.empty" };
  if (issue.code === "too_small" && issue.origin === "string") return { key: "config.invalid.atLeastCharacters", values: { limit: String(issue.minimum) } };
  if (issue.code === "too_small" && typeof issue.minimum === "number") return { key: "config.invalid.atLeast", values: { limit: String(issue.minimum) } };
  if (issue.code === "invalid_value" && issue.values) return { key: "config.invalid.oneOf", values: { values: issue.values.map(String).join(", ") } };
  if (issue.code === "invalid_format" && issue.format === "url") return { key: "config.invalid.url" };
  if (issue.path[0] === "metrics") return { key: "config.invalid.onOff" };
  if (issue.path[0] === "databaseUrl") return { key: "config.invalid.databaseUrl" };
  if (issue.path[0] === "trustProxy") return { key: "config.invalid.trustProxy" };
  if (issue.code === "invalid_union") return { key: "config.invalid.boolean" };
  return { key: "config.invalid", values: { detail: issue.message } };
}

/** `envNames` maps each setting to its PORTCULLIS_* variable; `given` is the merged input. */
export function configIssueText(issue: SchemaIssue | undefined, envNames: Record<string, string>, given: Record<string, unknown>): LocalText {
  const key = String(issue?.path[0] ?? "");
  const names = [flags[key], envNames[key]].filter(Boolean);
  // A repeated flag's items are checked one by one: show the one refused.
  const value = Array.isArray(given[key]) && typeof issue?.path[1] === "number" ? (given[key] as unknown[])[issue.path[1]] : given[key];
  const shown = value === undefined || secret.has(key) ? "" : ` "${String(value).slice(0, 80)}"`;
  const field = `${names.length ? names.join(" / ") : key || "value"}${shown}`;
  const why: LocalText = issue ? detail(issue) : { key: "config.invalid", values: { detail: "" } };
  const values: MessageValues = { field, ...(why.values ?? {}) };
  return { key: why.key, values };
}
