/** Long enough for an OAuth error_description; a table cell, not a log. */
const summaryLimit = 160;

const clip = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > summaryLimit ? `${flat.slice(0, summaryLimit - 1)}…` : flat;
};

const text = (value: unknown): string => (typeof value === "string" ? value.trim() : "");

/**
 * What another server's error answer says, in a line: the message of a ServiceNow error envelope
 * (`{"error":{"message","detail"},"status":"failure"}`, the detail after it when it adds
 * something) or RFC 6749 §5.2's `error` and `error_description`. An answer of neither shape, or
 * an HTML page, gives "": the status alone says more than the first 200 characters of its
 * markup or of JSON nobody asked to read.
 */
export function errorSummary(body: unknown): string {
  if (typeof body === "string") return body.trimStart().startsWith("<") ? "" : clip(body);
  if (typeof body !== "object" || body === null) return "";
  const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
  if (typeof error === "object" && error !== null) {
    const message = text((error as { message?: unknown }).message);
    const detail = text((error as { detail?: unknown }).detail);
    return clip(message && detail && !message.includes(detail) ? `${message} (${detail})` : message || detail);
  }
  const code = text(error);
  if (code) return clip(text(description) ? `${code}: ${text(description)}` : code);
  return "";
}
