import fs from "node:fs";
import { assertCanListen } from "../../listen-probe.ts";
import { openSqlite, sqliteFile } from "../../store/database.ts";
import { readInstanceSetting } from "../../store/instance-setting-store.ts";
import { migrateToLatest } from "../../store/migrate.ts";

/**
 * The port at which an instance of a demo run again on its --dir serves the public URL it
 * recorded: a fresh port would move it to another URL, leaving the provider records and the
 * pipeline file of the run before naming the old one (and on PostgreSQL, src/public-url-check.ts
 * refuses such a start). The database is migrated first, so an instance from before the URL was
 * recorded has the one it last served (migration 019). Nothing when the directory holds no
 * instance yet, when the URL is not one the demo serves at some port (`urlAt`), or when another
 * process holds that port: the demo then takes a free one, as on a first run.
 */
export async function recordedDemoPort(dataDir: string, urlAt: (port: number) => string): Promise<number | undefined> {
  if (!fs.existsSync(sqliteFile(dataDir))) return undefined;
  const store = openSqlite(sqliteFile(dataDir));
  let recorded: string | undefined;
  try {
    await migrateToLatest(store);
    recorded = await readInstanceSetting(store.db, "public_url");
  } finally {
    await store.close();
  }
  const port = recorded && URL.canParse(recorded) ? Number(new URL(recorded).port) : 0;
  if (!port || urlAt(port) !== recorded) return undefined;
  return assertCanListen("127.0.0.1", port).then(
    () => port,
    () => undefined,
  );
}
