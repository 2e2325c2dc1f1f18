import { Migrator, type Migration, type MigrationProvider } from "kysely";
import { type Store, StoreError, localStoreError } from "./database.ts";
import { postgresConnectProblem } from "./postgres-connect-problem.ts";
import * as initial from "./migrations/001-initial.ts";
import * as tableApi from "./migrations/002-table-api.ts";
import * as operability from "./migrations/003-operability.ts";
import * as consumer from "./migrations/004-consumer.ts";
import * as preferredLanguage from "./migrations/005-preferred-language.ts";
import * as aggregates from "./migrations/010-aggregates.ts";
import * as scriptedRest from "./migrations/007-scripted-rest.ts";
import * as attachments from "./migrations/008-attachments.ts";
import * as importSets from "./migrations/006-import-sets.ts";
import * as pipelinePage from "./migrations/009-pipeline-page.ts";
import * as storedTexts from "./migrations/011-stored-texts.ts";
import * as coalesceCase from "./migrations/012-coalesce-case.ts";
import * as caselessTextIndexes from "./migrations/013-caseless-text-indexes.ts";
import * as secretKeyCheck from "./migrations/014-secret-key-check.ts";
import * as userNameParts from "./migrations/015-user-name-parts.ts";
import * as servedPublicUrl from "./migrations/016-served-public-url.ts";
import * as connectionFailedAt from "./migrations/017-connection-failed-at.ts";
import * as sessionAbsoluteExpiry from "./migrations/018-session-absolute-expiry.ts";
import * as instanceSetting from "./migrations/019-instance-setting.ts";

const migrations: Record<string, Migration> = {
  "001-initial": initial,
  "002-table-api": tableApi,
  "003-operability": operability,
  "004-consumer": consumer,
  "005-preferred-language": preferredLanguage,
  "010-aggregates": aggregates,
  "007-scripted-rest": scriptedRest,
  "008-attachments": attachments,
  "006-import-sets": importSets,
  "009-pipeline-page": pipelinePage,
  "011-stored-texts": storedTexts,
  "012-coalesce-case": coalesceCase,
  "013-caseless-text-indexes": caselessTextIndexes,
  "014-secret-key-check": secretKeyCheck,
  "015-user-name-parts": userNameParts,
  "016-served-public-url": servedPublicUrl,
  "017-connection-failed-at": connectionFailedAt,
  "018-session-absolute-expiry": sessionAbsoluteExpiry,
  "019-instance-setting": instanceSetting,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date. Kysely's migrator takes an advisory lock on PostgreSQL,
 * so nodes that start together apply each migration once.
 */
/** A database whose migrations include one this version does not have: not damage, a downgrade. */
export class NewerDatabaseError extends StoreError {}

/** A database never reached for a reason trying again at once would meet again (a setting to change, a server that stays silent). */
class LastingConnectError extends StoreError {}

export async function migrateToLatest(store: Store): Promise<void> {
  // Processes sharing one SQLite file have no advisory lock: one that starts while another is
  // migrating may hit a busy database or a bookkeeping row the other just wrote. The migrator
  // skips what is already applied, so trying again shortly is safe.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(store);
    } catch (error) {
      if (attempt >= 8 || error instanceof NewerDatabaseError || error instanceof LastingConnectError) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
    }
  }
}

async function migrateOnce(store: Store): Promise<void> {
  const migrator = new Migrator({
    db: store.db,
    provider,
    migrationTableName: "portcullis_migration",
    migrationLockTableName: "portcullis_migration_lock",
    // Features land from parallel branches; each migration stands alone, so one that sorts before an applied one still runs.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? "unknown error");
    // Kysely calls this "corrupted migrations"; it is a database a newer Portcullis has migrated.
    const unknown = /previously executed migration (\S+) is missing/.exec(reason);
    if (unknown) throw new NewerDatabaseError(`the database at ${store.location} was migrated by a newer Portcullis (its migration ${unknown[1]} is unknown to this version): run that version or a later one, or restore the backup taken before the upgrade`);
    // No migration named: the database was never reached (refused, unknown host, wrong password).
    if (!failed) throw unreachedDatabase(store, error, reason);
    throw new Error(`database migration ${failed.migrationName} failed: ${reason}`);
  }
}

/**
 * Said with what to change. A PostgreSQL server that let PORTCULLIS_DB_TIMEOUT_MS pass, or
 * refused DATABASE_URL's user, password or database, is not tried seven times more (that took
 * about 85 s at the default timeout to say so; the advisory lock already settles nodes starting
 * together); a refused connection (a server still starting) is.
 */
function unreachedDatabase(store: Store, error: unknown, reason: string): StoreError {
  if (store.dialect !== "postgres") return new StoreError(`cannot use the database at ${store.location}: ${reason}`);
  const problem = postgresConnectProblem(error, store.location);
  const said = localStoreError(problem.text);
  return problem.kind === "lasting" ? new LastingConnectError(said.message, problem.text) : said;
}
