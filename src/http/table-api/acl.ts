import type { Access, FieldDef, Operation, TableDef } from "../../domain/dictionary.ts";
import type { ApiPrincipal } from "./api-principal.ts";
import { forbidden } from "./errors.ts";

/**
 * Table ACLs by role and operation, and field-level read rules. `admin` passes every rule
 * except "nobody"; the `useraccount` scope carries the user's full rights.
 */
function allows(access: Access, principal: ApiPrincipal): boolean {
  if (access === "nobody") return false;
  if (!principal.scope.split(" ").includes("useraccount")) return false;
  if (principal.roles.includes("admin") || access === "any_user") return true;
  return access.some((role) => principal.roles.includes(role));
}

export function mayDo(principal: ApiPrincipal, table: TableDef, operation: Operation): boolean {
  return allows(table.access[operation], principal);
}

export function requireAccess(principal: ApiPrincipal, table: TableDef, operation: Operation): void {
  if (!mayDo(principal, table, operation)) throw forbidden(`${principal.user.userName} may not ${operation} ${operation === "read" ? "records of" : operation === "create" ? "records in" : "records of"} the table ${table.name}`);
}

/** Secret fields exist for nobody; role-restricted ones are masked away for everyone else. */
export function mayReadField(principal: ApiPrincipal, field: FieldDef): boolean {
  if (field.secret) return false;
  return !field.readRoles || allows(field.readRoles, principal);
}

/** Whether a filter may look at a table's records by their display value: the caller reads both the table and that field. */
export const mayReadDisplay =
  (principal: ApiPrincipal) =>
  (target: TableDef): boolean => {
    const field = target.fields.find((f) => f.name === target.displayField);
    return mayDo(principal, target, "read") && !!field && !field.secret && mayReadField(principal, field);
  };

export function readableFields(principal: ApiPrincipal, table: TableDef): FieldDef[] {
  return table.fields.filter((f) => mayReadField(principal, f));
}
