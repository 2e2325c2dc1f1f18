import type { Translator } from "../../../i18n/translator.ts";

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

export function auditValueText(t: Translator["t"], value: string): string {
  if (Object.hasOwn(fixedValues, value)) return t(fixedValues[value as keyof typeof fixedValues]);
  const consent = /^allowed (.*)$/s.exec(value);
  if (consent) return t("auditValue.consentAllowed", { scope: consent[1]! });
  const grant = /^(\d+) tokens of the grant$/.exec(value);
  if (grant) return t("auditValue.grantTokens", { count: Number(grant[1]) });
  const tokens = /^(\d+) tokens$/.exec(value);
  if (tokens) return t("auditValue.tokens", { count: Number(tokens[1]) });
  return value;
}
