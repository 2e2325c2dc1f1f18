import type { GrantType } from "../../../domain/oauth-entity.ts";
import { systemTables } from "../../../domain/system-tables.ts";
import type { MessageKey, Translator } from "../../../i18n/translator.ts";
import { grantTypesText } from "./grant-types-text.ts";

/**
 * The values Portcullis itself writes into sys_audit in place of a secret or a count: stored
 * in English, as the platform's Table API shows them, and worded here in the reader's language.
 * A value a person typed is shown as it is.
 */
const fixedValues = {
  "(changed)": "auditValue.changed",
  "(regenerated)": "auditValue.regenerated",
  "(discarded)": "auditValue.discarded",
} as const;

/** `clientName` names the client a token was issued to, for the client ID the row was written with, when it is known. */
export function auditValueText(t: Translator["t"], value: string, clientName: (clientId: string) => string = (clientId) => clientId): string {
  if (Object.hasOwn(fixedValues, value)) return t(fixedValues[value as keyof typeof fixedValues]);
  const consent = /^allowed (.*)$/s.exec(value);
  if (consent) return t("auditValue.consentAllowed", { scope: consent[1]! });
  const grant = /^(\d+) tokens of the grant$/.exec(value);
  if (grant) return t("auditValue.grantTokens", { count: Number(grant[1]) });
  // token-store.ts: "access_token via password to <client ID>".
  const issued = /^(access_token|refresh_token) via (authorization_code|refresh_token|password|client_credentials) to (.+)$/s.exec(value);
  if (issued) {
    const [, type, grant, client] = issued as unknown as [string, "access_token" | "refresh_token", GrantType, string];
    return t("auditValue.issued", { type: t(`tokens.type.${type}`), grant: t(`grant.${grant}`), client: clientName(client) });
  }
  const tokens = /^(\d+) tokens$/.exec(value);
  if (tokens) return t("auditValue.tokens", { count: Number(tokens[1]) });
  return value;
}

// sys_audit records a true/false field as true or false (auditValue in audit-store.ts); rows written before it did hold the column's 1 or 0.
const storedBooleans: Record<string, boolean> = { "1": true, true: true, "0": false, false: false };

/**
 * A choice field's values as its form labels them, by `<table>.<field>`: sys_audit keeps the
 * value, as the platform's does, and History shows the label in the reader's language. A
 * provider's fields are not in the dictionary (they live in oauth_provider_settings), so they
 * are listed here with the labels their form gives them.
 */
const choiceLabels: Record<string, Record<string, MessageKey>> = {
  "oauth_entity.accessible_from": { all: "audit.choice.accessibleFrom.all", this: "audit.choice.accessibleFrom.this" },
  "oauth_entity.default_grant": { authorization_code: "grant.authorization_code", client_credentials: "grant.client_credentials", password: "grant.password" },
  "oauth_entity.credential_style": { basic: "provider.style.basic", body: "provider.style.body" },
};

/** Fields outside the dictionary that History still reads as yes or no: a provider's Allow http URLs. */
const auditOnlyBooleans = new Set(["oauth_entity.allow_http"]);

/** A true/false field's stored value as the reader's language says yes or no, a choice's as its label, grant types as the form names them; any other value as it is. */
export function auditFieldValue(t: Translator["t"], tablename: string, fieldname: string, value: string): string {
  // sys_audit keeps the column's comma-separated list (oauth-entity-store.ts), as the Table API reads it.
  if (tablename === "oauth_entity" && fieldname === "grant_types" && value !== "") return grantTypesText(value.split(","), (grant) => t(`grant.${grant}`));
  const choice = choiceLabels[`${tablename}.${fieldname}`];
  if (choice && Object.hasOwn(choice, value)) return t(choice[value]!);
  const field = systemTables.get(tablename)?.fields.find((f) => f.name === fieldname);
  const isBoolean = field?.type === "boolean" || auditOnlyBooleans.has(`${tablename}.${fieldname}`);
  if (!isBoolean || !Object.hasOwn(storedBooleans, value)) return value;
  return t(storedBooleans[value] ? "common.true" : "common.false");
}
