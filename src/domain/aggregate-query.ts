/**
 * The Aggregate API's own small syntaxes (GET /api/now/stats/{table}): `sysparm_having`
 * (`count^priority^>^3,avg^state^<=^2`) and `sysparm_order_by` (`priority`, `AVG^state^DESC`,
 * `COUNT^DESC`), read into data. Whether the fields exist and may be read is checked by the
 * caller against the dictionary; values travel to SQL as parameters only.
 */
export const aggregateFunctions = ["count", "avg", "min", "max", "sum"] as const;
export type AggregateFunction = (typeof aggregateFunctions)[number];

export const havingOperators = ["=", "!=", ">", ">=", "<", "<="] as const;
export type HavingOperator = (typeof havingOperators)[number];

export interface HavingCondition {
  aggregate: AggregateFunction;
  /** Always in sysparm_having; GlideAggregate's addHaving('COUNT', '>', '5') names none (all records of the group). */
  field?: string;
  operator: HavingOperator;
  value: string;
}

/** Either a group-by field, or an aggregate (of a field; COUNT may name none). */
export type AggregateOrder = { kind: "field"; field: string; descending: boolean } | { kind: "aggregate"; aggregate: AggregateFunction; field?: string; descending: boolean };

export class AggregateSyntaxError extends Error {}

/** A field, or a dot-walk through references (`caller_id.department`); its depth is checked with the dictionary. */
const fieldName = /^[a-z][a-z0-9_]{0,79}(?:\.[a-z][a-z0-9_]{0,79}){0,7}$/;
const maxItems = 50;

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function aggregateNamed(text: string): AggregateFunction | undefined {
  return aggregateFunctions.find((a) => a === text.toLowerCase());
}

function items(parameter: string, text: string): string[] {
  const list = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (list.length > maxItems) throw new AggregateSyntaxError(`${parameter} lists more than ${maxItems} items`);
  return list;
}

function checkField(parameter: string, item: string, field: string | undefined): string {
  if (field === undefined || !fieldName.test(field)) throw new AggregateSyntaxError(`${parameter}: "${clip(item)}" does not name a field or a dot-walk such as caller_id.name`);
  return field;
}

/** A comma list of field names (sysparm_avg_fields, sysparm_group_by…), duplicates dropped. */
export function parseFieldList(parameter: string, text: string): string[] {
  return [...new Set(items(parameter, text).map((item) => checkField(parameter, item, item)))];
}

/** `aggregate^field^operator^value`, several joined by commas, as the platform documents it. */
export function parseHaving(text: string): HavingCondition[] {
  return items("sysparm_having", text).map((item) => {
    const parts = item.split("^");
    if (parts.length !== 4) throw new AggregateSyntaxError(`sysparm_having: "${clip(item)}" is not aggregate^field^operator^value`);
    const [name, field, operator, value] = parts as [string, string, string, string];
    const aggregate = aggregateNamed(name);
    if (!aggregate) throw new AggregateSyntaxError(`sysparm_having: "${clip(name)}" is not one of ${aggregateFunctions.join(", ")}`);
    if (!(havingOperators as readonly string[]).includes(operator)) throw new AggregateSyntaxError(`sysparm_having: "${clip(operator)}" is not one of ${havingOperators.join(" ")}`);
    if (value.trim() === "") throw new AggregateSyntaxError(`sysparm_having: "${clip(item)}" has no value to compare with`);
    return { aggregate, field: checkField("sysparm_having", item, field), operator: operator as HavingOperator, value: value.trim() };
  });
}

/** `field`, `field^DESC`, `AGG^field`, `AGG^field^DESC`, `COUNT`, `COUNT^DESC`; ascending unless DESC. */
export function parseAggregateOrderBy(text: string): AggregateOrder[] {
  return items("sysparm_order_by", text).map((item) => {
    const parts = item.split("^");
    let descending = false;
    const last = parts[parts.length - 1]!.toUpperCase();
    if (parts.length > 1 && (last === "DESC" || last === "ASC")) {
      descending = last === "DESC";
      parts.pop();
    }
    const aggregate = aggregateNamed(parts[0]!);
    if (aggregate && parts.length === 2) return { kind: "aggregate", aggregate, field: checkField("sysparm_order_by", item, parts[1]), descending };
    if (aggregate === "count" && parts.length === 1) return { kind: "aggregate", aggregate, descending };
    if (parts.length !== 1) throw new AggregateSyntaxError(`sysparm_order_by: "${clip(item)}" is not field, AGGREGATE^field or COUNT, with an optional ^DESC`);
    return { kind: "field", field: checkField("sysparm_order_by", item, parts[0]), descending };
  });
}
