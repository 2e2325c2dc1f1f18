import type { Kysely } from "kysely";
import type { StoredValue, TableDef } from "../../domain/dictionary.ts";
import { parseRecordInput } from "../../domain/record-input.ts";
import { tidyRoleList } from "../../domain/custom-tables.ts";
import { baseUriOf, namespaceProblem, operationProblems, parseRelativePath, serviceIdProblem, templateKey } from "../../domain/scripted-rest.ts";
import { type FieldIssue, ValidationError } from "../../domain/validation.ts";
import type { Database } from "../../store/schema.ts";
import { deleteRecord, getRecord, insertRecord, updateRecord } from "../../store/table-record-store.ts";
import type { RecordWriter } from "../table-api/record-writers.ts";
import { scriptSyntaxProblem } from "../../scripting/script-syntax.ts";

/**
 * Writes of sys_ws_definition and sys_ws_operation: the dictionary checks types, these add the
 * rules of a path (syntax, no clash with a built-in API or another definition, one resource
 * per method and path), compile a resource's script, and derive the base path from namespace
 * and API ID.
 */
type Values = Record<string, StoredValue>;

function fail(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}

async function current(db: Kysely<Database>, table: TableDef, sysId: string): Promise<Record<string, unknown> | undefined> {
  return getRecord(db, table, sysId, table.fields.map((f) => f.name));
}

async function checkDefinition(db: Kysely<Database>, record: Record<string, unknown>, sysId: string | null): Promise<string> {
  const issues: FieldIssue[] = [];
  const ns = namespaceProblem(record.namespace);
  if (ns) issues.push({ field: "namespace", message: ns });
  const id = serviceIdProblem(record.service_id);
  if (id) issues.push({ field: "service_id", message: id });
  fail(issues);
  const baseUri = baseUriOf(String(record.namespace), String(record.service_id));
  const clash = await db.selectFrom("sys_ws_definition").select("sys_id").where("base_uri", "=", baseUri).executeTakeFirst();
  if (clash && clash.sys_id !== sysId) fail([{ field: "service_id", message: `another API already serves ${baseUri}` }]);
  return baseUri;
}

export const definitionWriter: RecordWriter = {
  async create({ db, actor, mayRead }, table, body) {
    const values: Values = parseRecordInput(table, body, "create");
    values.base_uri = await checkDefinition(db, values, null);
    const row = await insertRecord(db, table, values, { actor, mayRead });
    return { sysId: row.sys_id as string };
  },
  async update({ db, actor, mayRead, expected }, table, sysId, body) {
    const existing = await current(db, table, sysId);
    if (!existing) return false;
    const values: Values = parseRecordInput(table, body, "update");
    values.base_uri = await checkDefinition(db, { ...existing, ...values }, sysId);
    return (await updateRecord(db, table, sysId, values, { actor, mayRead }, expected)) !== undefined;
  },
  async remove({ db, actor, expected }, table, sysId) {
    return deleteRecord(db, table, sysId, actor, expected);
  },
};

/** Roles as a tidy list; an empty relative path is the API's root, stored as the field's default "/". */
function tidied(values: Values): Values {
  const tidy: Values = { ...values };
  if (typeof values.roles_required === "string") tidy.roles_required = tidyRoleList(values.roles_required);
  if (values.relative_path === "") tidy.relative_path = "/";
  return tidy;
}

/** `script` is what this write sets, if it sets one: a rename never fails on a script saved before scripts were compiled. */
async function checkOperation(db: Kysely<Database>, record: Record<string, unknown>, sysId: string | null, script: StoredValue | undefined): Promise<void> {
  const issues = operationProblems({ name: record.name, http_method: record.http_method, relative_path: record.relative_path, roles_required: record.roles_required });
  const syntax = script === undefined ? null : await scriptSyntaxProblem(String(script ?? ""));
  if (syntax) issues.push({ field: "operation_script", message: syntax });
  fail(issues);
  const key = templateKey(parseRelativePath(String(record.relative_path)));
  const siblings = await db
    .selectFrom("sys_ws_operation")
    .select(["sys_id", "relative_path", "name"])
    .where("web_service_definition", "=", String(record.web_service_definition))
    .where("http_method", "=", String(record.http_method))
    .execute();
  const clash = siblings.find((s) => s.sys_id !== sysId && templateKey(parseRelativePath(s.relative_path)) === key);
  if (clash) fail([{ field: "relative_path", message: `the resource "${clash.name}" already answers ${String(record.http_method)} ${clash.relative_path}` }]);
}

export const operationWriter: RecordWriter = {
  async create({ db, actor, mayRead }, table, body) {
    const values: Values = tidied(parseRecordInput(table, body, "create"));
    await checkOperation(db, values, null, values.operation_script ?? "");
    const row = await insertRecord(db, table, values, { actor, mayRead });
    return { sysId: row.sys_id as string };
  },
  async update({ db, actor, mayRead, expected }, table, sysId, body) {
    const existing = await current(db, table, sysId);
    if (!existing) return false;
    const values: Values = tidied(parseRecordInput(table, body, "update"));
    await checkOperation(db, { ...existing, ...values }, sysId, values.operation_script);
    return (await updateRecord(db, table, sysId, values, { actor, mayRead }, expected)) !== undefined;
  },
  async remove({ db, actor, expected }, table, sysId) {
    return deleteRecord(db, table, sysId, actor, expected);
  },
};
