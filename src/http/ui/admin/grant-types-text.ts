import { type GrantType, grantTypeNames } from "../../../domain/oauth-entity.ts";

/**
 * An endpoint's grant types as its form names them: each by its label, in the order of the form's
 * checkboxes, comma-joined, whatever order they were stored in. A value this version does not know
 * (kept from an older one) follows as it is, so History never hides what a row holds.
 */
export function grantTypesText(grants: readonly string[], grantLabel: (grant: GrantType) => string): string {
  const known = grantTypeNames.filter((grant) => grants.includes(grant)).map(grantLabel);
  const unknown = grants.filter((grant) => !(grantTypeNames as readonly string[]).includes(grant));
  return [...known, ...unknown].join(", ");
}
