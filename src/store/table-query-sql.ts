import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import { coerceValue, type FieldDef, fieldOf, isCaselessText, type StoredValue, type TableDef } from "../domain/dictionary.ts";
import { type Condition, type EncodedQuery, QueryError } from "../domain/encoded-query.ts";
import type { WalkJoins } from "./dot-walk-joins.ts";
import { walkedCondition } from "./dot-walk-sql.ts";
import type { DisplayColumns } from "./reference-display-query.ts";

/**
 * Compiles an encoded query to Kysely expressions. Field names come from the dictionary
 * (an unknown one is an error, never an identifier); every value travels as a parameter.
 */
type Eb = ExpressionBuilder<any, any>;

const textTypes = new Set(["string", "reference", "glide_date_time"]);

function fieldFor(table: TableDef, name: string): FieldDef {
  const field = fieldOf(table, name);
  if (!field || field.secret) throw new QueryError(`the table ${table.name} has no field "${name}"`);
  return field;
}

/** A query operand: the type's rules apply, the choice list and length limit do not. */
function operand(field: FieldDef, condition: Condition, raw: string): StoredValue {
  const coerced = coerceValue({ name: field.name, label: field.label, type: field.type, reference: field.reference }, raw);
  if (!coerced.ok) throw new QueryError(`${condition.field}${condition.operator}${raw}: the value ${coerced.problem}`);
  return coerced.value;
}

/** Text columns (references included: rows loaded by other means may hold "") are empty when NULL or "". */
function isEmpty(eb: Eb, field: FieldDef): Expression<SqlBool> {
  return field.type === "string" || field.type === "reference" ? eb.or([eb(field.name, "is", null), eb(field.name, "=", "")]) : eb(field.name, "is", null);
}

function likePattern(value: string, before: string, after: string): string {
  return before + value.replace(/[\\%_]/g, "\\$&") + after;
}

function likeColumn(column: string, pattern: string): Expression<SqlBool> {
  // The database's lower() on both sides, as for = (see sides): SQLite's folds only ASCII, so a
  // pattern folded by JavaScript missed "École" in a column SQLite leaves as "École".
  return sql<SqlBool>`lower(${sql.ref(column)}) like lower(${pattern}) escape '\\'`;
}

/**
 * The column and operand sides of a comparison. On caseless text (see isCaselessText) both
 * go through the database's lower(), so each dialect folds both sides the same way and the
 * lower(column) indexes (migration 013, custom-table-store.ts) serve the lookup.
 */
function sides(field: FieldDef, c: Condition): { column: Expression<any>; value: (v: StoredValue) => Expression<any> } {
  if (isCaselessText(field) && !c.caseSensitive) return { column: field.storedLowercase ? sql.ref(field.name) : sql`lower(${sql.ref(field.name)})`, value: (v) => sql`lower(${v})` };
  return { column: sql.ref(field.name), value: (v) => sql.val(v) };
}

function condition(eb: Eb, table: TableDef, c: Condition, displays?: DisplayColumns): Expression<SqlBool> {
  if (c.walk) return walkedCondition(eb, c.walk, c, condition);
  const field = fieldFor(table, c.field);
  const column = field.name;
  const orNull = (e: Expression<SqlBool>) => eb.or([e, eb(column, "is", null)]);
  const requireText = () => {
    if (!textTypes.has(field.type)) throw new QueryError(`${c.operator} applies to text fields; ${c.field} is ${field.type}`);
  };
  // On a reference, the referenced record's display value (see reference-display-query.ts).
  const display = displays?.get(field.name);
  const like = (_: FieldDef, pattern: string): Expression<SqlBool> =>
    display ? eb(column, "in", eb.selectFrom(display.table).select("sys_id").where(() => likeColumn(display.column, pattern))) : likeColumn(column, pattern);
  switch (c.operator) {
    case "ISEMPTY":
      return isEmpty(eb, field);
    case "ISNOTEMPTY":
      return eb.not(isEmpty(eb, field));
    case "ANYTHING":
      // The platform's "is anything": every record, empty or not, asked for by name.
      return sql<SqlBool>`1 = 1`;
    case "EMPTYSTRING":
      // "is empty string": the text "" itself, not a missing (NULL) value, which ISEMPTY also finds.
      if (field.type !== "string" && field.type !== "reference") throw new QueryError(`EMPTYSTRING applies to text fields; ${c.field} is ${field.type}`);
      return eb(column, "=", "");
    case "=": {
      if (c.value === "") return isEmpty(eb, field);
      const { column: left, value } = sides(field, c);
      return eb(left, "=", value(operand(field, c, c.value)));
    }
    case "!=": {
      if (c.value === "") return eb.not(isEmpty(eb, field));
      const { column: left, value } = sides(field, c);
      return orNull(eb(left, "!=", value(operand(field, c, c.value))));
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return eb(column, c.operator, operand(field, c, c.value));
    case "LIKE":
      requireText();
      return like(field, likePattern(c.value, "%", "%"));
    case "NOT LIKE":
      requireText();
      return orNull(eb.not(like(field, likePattern(c.value, "%", "%"))));
    case "STARTSWITH":
      requireText();
      return like(field, likePattern(c.value, "", "%"));
    case "ENDSWITH":
      requireText();
      return like(field, likePattern(c.value, "%", ""));
    case "IN":
    case "NOT IN": {
      const { column: left, value } = sides(field, c);
      const values = c.value.split(",").filter((v) => v !== "").map((v) => value(operand(field, c, v)));
      if (values.length === 0) throw new QueryError(`${c.field}${c.operator} needs at least one value`);
      return c.operator === "IN" ? eb(left, "in", values) : orNull(eb(left, "not in", values));
    }
    case "BETWEEN": {
      const [low, high] = c.value.split("@") as [string, string];
      return eb.and([eb(column, ">=", operand(field, c, low)), eb(column, "<=", operand(field, c, high))]);
    }
    case "ON":
    case "NOTON": {
      if (field.type !== "glide_date_time") throw new QueryError(`${c.operator} applies to date-time fields; ${c.field} is ${field.type}`);
      const [low, high] = c.value.split("@") as [string, string];
      const within = eb.and([eb(column, ">=", operand(field, c, low)), eb(column, "<=", operand(field, c, high))]);
      // Not on: outside the range, or empty, as the other negations (!=, NOT IN) match an empty field.
      return c.operator === "ON" ? within : orNull(eb.not(within));
    }
    case "SAMEAS":
    case "NSAMEAS": {
      const other = fieldFor(table, c.value);
      if (textTypes.has(other.type) !== textTypes.has(field.type)) throw new QueryError(`${c.field} and ${c.value} hold different kinds of values and cannot be compared`);
      return eb(column, c.operator === "SAMEAS" ? "=" : "<>", eb.ref(other.name));
    }
  }
}

/** The WHERE of a query, or undefined when it has no conditions. */
export function whereOf(table: TableDef, query: EncodedQuery, displays?: DisplayColumns): ((eb: Eb) => Expression<SqlBool>) | undefined {
  if (query.queries.length === 0) return undefined;
  return (eb) => eb.or(query.queries.map((q) => eb.and(q.map((group) => eb.or(group.map((c) => condition(eb, table, c, displays)))))));
}

export interface OrderTerm {
  /** A column of the table, or a walked value read through `joins`. */
  column: string | Expression<unknown>;
  direction: "asc" | "desc";
}

/**
 * Text sorts without regard to case, as on the platform (its database collates case-insensitively):
 * "apple" between "Aardvark" and "Banana", not after "Zebra" as a binary collation puts it.
 */
function orderColumn(field: FieldDef): string | Expression<unknown> {
  return isCaselessText(field) && !field.storedLowercase ? sql`lower(${sql.ref(field.name)})` : field.name;
}

/** ORDERBY fields, then sys_id so pages never overlap or skip rows. A dot-walked one is read through `joins` (dot-walk-joins.ts). */
export function orderOf(table: TableDef, query: EncodedQuery, joins?: WalkJoins): OrderTerm[] {
  const order: OrderTerm[] = query.orderBy.map((o) => {
    const direction = o.descending ? ("desc" as const) : ("asc" as const);
    if (!o.walk) return { column: orderColumn(fieldFor(table, o.field)), direction };
    if (!joins) throw new Error(`ORDERBY${o.field} needs the joins of its walk`);
    const walked = joins.value(o.walk);
    return { column: isCaselessText(o.walk.leaf) ? sql`lower(${walked})` : walked, direction };
  });
  // Ties go by sys_id, which is time-ordered, in the last ordering's direction: "newest first" stays
  // newest first within one second, and one direction lets an index be read in one pass.
  if (!order.some((o) => o.column === "sys_id")) order.push({ column: "sys_id", direction: order.at(-1)?.direction ?? "asc" });
  return order;
}
