import fs from "node:fs";
import { hashPassword } from "../../domain/passwords.ts";
import { openSqlite, sqliteFile } from "../../store/database.ts";
import { migrateToLatest } from "../../store/migrate.ts";
import { setUserPassword } from "../../store/user-admin-store.ts";
import { findUserByName } from "../../store/user-store.ts";

/**
 * An instance an earlier demo made in this --dir keeps the admin password that run drew, which no
 * one holds any more (the demo draws new ones each run and prints them only with --keep), so
 * pipeline up could not sign in to it. It is given this run's, as a first start gives it.
 */
export async function giveDemoAdminPassword(dataDir: string, password: string): Promise<void> {
  if (!fs.existsSync(sqliteFile(dataDir))) return;
  const store = openSqlite(sqliteFile(dataDir));
  try {
    await migrateToLatest(store);
    const admin = await findUserByName(store.db, "admin");
    if (admin) await setUserPassword(store.db, admin.sysId, await hashPassword(password), { actor: "system" });
  } finally {
    await store.close();
  }
}
