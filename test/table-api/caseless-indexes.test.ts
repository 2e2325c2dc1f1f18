import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CompiledQuery, type Kysely, sql } from "kysely";
import { parseEncodedQuery } from "../../src/domain/encoded-query.ts";
import { systemTables } from "../../src/domain/system-tables.ts";
import type { Store } from "../../src/store/database.ts";
import { orderOf, whereOf } from "../../src/store/table-query-sql.ts";
import { dialectsUnderTest, migratedStore } from "../support/stores.ts";

/**
 * Text equality compares lower(column) with lower(value); these prove, with each database's own
 * plan, that a Table API query leading with an indexed text field still reads an index
 * (migration 013) instead of every row. The query is built as listRecords builds it.
 */
const sysId = "0123456789abcdef0123456789abcdef";
const cases: [table: string, query: string, index: string][] = [
  ["incident", "number=inc0010001", "incident_number_lower"],
  ["incident", "numberININC0010001,inc0010002", "incident_number_lower"],
  ["sys_user", "user_name=Abel.Tuter", "sys_user_user_name_lower"],
  ["sys_user_role", "name=ITIL", "sys_user_role_name_lower"],
  ["oauth_entity", "name=My App", "oauth_entity_name_lower"],
  ["oauth_entity", "client_id=ABC", "oauth_entity_client_id_lower"],
  ["sys_db_object", "name=U_Things", "sys_db_object_name_lower"],
  ["sys_dictionary", "name=u_things^element=U_Colour", "sys_dictionary_name_element_lower"],
  ["sys_ws_definition", "base_uri=/api/x_acme/Orders", "sys_ws_definition_base_uri_lower"],
  ["sys_import_set", "number=iset0010001", "sys_import_set_number_lower"],
  ["sys_import_set", "state=Loaded", "sys_import_set_state_lower"],
  ["sys_import_set", "table_name=u_staging^mode=synchronous^state=loaded", "sys_import_set_table_lower"],
  ["sys_transform_map", "source_table=U_Staging", "sys_transform_map_source_lower"],
  // Table names are stored lowercase: only the value is folded, and the plain index serves.
  ["sys_audit", `tablename=Incident^documentkey=${sysId}`, "sys_audit_document"],
  ["sys_attachment", `table_name=Incident^table_sys_id=${sysId}`, "sys_attachment_parent"],
];

function listQuery(db: Kysely<any>, table: string, query: string): CompiledQuery {
  const def = systemTables.get(table)!;
  const parsed = parseEncodedQuery(query);
  let select = db.selectFrom(table).select("sys_id").where(whereOf(def, parsed)!);
  for (const o of orderOf(def, parsed)) select = select.orderBy(o.column, o.direction);
  return select.limit(10).offset(0).compile();
}

/** The plan's text. PostgreSQL is told to avoid whole-table reads, so an empty table still shows whether an index can serve. */
async function planOf(store: Store, compiled: CompiledQuery, hint: "no seq scan" | "as is"): Promise<string> {
  if (store.dialect === "sqlite") {
    const { rows } = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]));
    return rows.map((r) => r.detail).join("\n");
  }
  return store.db.connection().execute(async (conn) => {
    if (hint === "no seq scan") await sql`set enable_seqscan = off`.execute(conn);
    try {
      const { rows } = await conn.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]));
      return rows.map((r) => Object.values(r)[0]).join("\n");
    } finally {
      if (hint === "no seq scan") await sql`reset enable_seqscan`.execute(conn);
    }
  });
}

for (const dialect of dialectsUnderTest()) {
  describe(`text equality reads the lower() indexes on ${dialect.name}`, () => {
    const handle = migratedStore(dialect);

    for (const [table, query, index] of cases) {
      test(`${table}?sysparm_query=${query} uses ${index}`, async () => {
        const compiled = listQuery(handle.store.db as Kysely<any>, table, query);
        assert.match(compiled.sql, /lower\(/, "the query folds case");
        const plan = await planOf(handle.store, compiled, "no seq scan");
        assert.ok(plan.includes(index), `${compiled.sql}\n${plan}`);
      });
    }

    test("with a thousand incidents and fresh statistics, number= is an index lookup without any hint", async () => {
      const db = handle.store.db as Kysely<any>;
      const rows = Array.from({ length: 1000 }, (_, i) => ({
        sys_id: i.toString(16).padStart(32, "0"),
        sys_created_on: "2026-01-01 00:00:00",
        sys_created_by: "test",
        sys_updated_on: "2026-01-01 00:00:00",
        sys_updated_by: "test",
        number: `INC${String(20000 + i).padStart(7, "0")}`,
      }));
      for (let i = 0; i < rows.length; i += 200) await db.insertInto("incident").values(rows.slice(i, i + 200)).execute();
      await sql`analyze`.execute(db);
      const plan = await planOf(handle.store, listQuery(db, "incident", "number=inc0020500"), "as is");
      assert.ok(plan.includes("incident_number_lower"), plan);
    });
  });
}
