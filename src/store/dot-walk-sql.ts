import { type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import type { TableDef } from "../domain/dictionary.ts";
import type { DotWalk } from "../domain/dot-walk.ts";
import type { Condition } from "../domain/encoded-query.ts";
import type { DisplayColumns } from "./reference-display-query.ts";

/**
 * A condition on a dot-walked field (`caller_id.name=Ada`) as nested subqueries on sys_id:
 * `caller_id IN (SELECT sys_id FROM sys_user WHERE name = 'Ada')`. Each subquery is uncorrelated
 * and looks its table up by primary key, so both dialects read it once, whatever the row count.
 *
 * Where the walk does not arrive (an empty reference, or one to a record since deleted), the
 * walked value is empty, as the platform's outer join makes it: the record matches exactly when
 * the condition holds for an empty value (`caller_id.nameISEMPTY`, `caller_id.name!=Ada`), and
 * never for the positive operators.
 */
type Eb = ExpressionBuilder<any, any>;

/** Compiles the condition on the walk's last field, in that field's table. */
export type LeafCondition = (eb: Eb, table: TableDef, condition: Condition, displays?: DisplayColumns) => Expression<SqlBool>;

export function walkedCondition(eb: Eb, walk: DotWalk, condition: Condition, leaf: LeafCondition): Expression<SqlBool> {
  const onLeaf: Condition = { field: walk.leaf.name, operator: condition.operator, value: condition.value, ...(condition.caseSensitive ? { caseSensitive: condition.caseSensitive } : {}) };
  const displays: DisplayColumns | undefined = walk.display ? new Map([[walk.leaf.name, walk.display]]) : undefined;
  const emptyMatches = holdsForEmpty(condition);
  const step = (inner: Eb, index: number): Expression<SqlBool> => {
    const { field, target } = walk.steps[index]!;
    const arrives = inner(field.name, "in", inner.selectFrom(target.name).select("sys_id").where((next: Eb) => (index + 1 < walk.steps.length ? step(next, index + 1) : leaf(next, target, onLeaf, displays))));
    if (!emptyMatches) return arrives;
    const nowhere = inner.or([inner(field.name, "is", null), inner(field.name, "=", ""), inner(field.name, "not in", inner.selectFrom(target.name).select("sys_id"))]);
    return inner.or([arrives, nowhere]);
  };
  return step(eb, 0);
}

/**
 * Whether the condition holds for an empty value, by the compiler's own rules
 * (table-query-sql.ts): the negations also match an empty field, the comparisons do not.
 */
export function holdsForEmpty(condition: Condition): boolean {
  switch (condition.operator) {
    case "ISEMPTY":
    case "ANYTHING":
    case "NOT LIKE":
    case "NOT IN":
    case "NOTON":
      return true;
    case "=":
      return condition.value === "";
    case "!=":
      return condition.value !== "";
    default:
      return false;
  }
}
