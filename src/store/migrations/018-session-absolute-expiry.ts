import type { Kysely } from "kysely";

/**
 * A sign-in session's absolute end (epoch ms): the sliding renewal never passes it, so a browser
 * that calls at least once per idle lifespan is still asked to sign in again sessionMaxLifespan
 * after it did (OWASP's absolute timeout, Keycloak's SSO Session Max).
 *
 * Sessions from before it are ended rather than given an end computed from their creation: the
 * cap is a setting this migration cannot see (a CLI command may migrate with other variables
 * than `start` serves with), and the sessions it exists to end are the old ones. The price is
 * one sign-in per browser after the upgrade. The default of 0 is already past, so a row written
 * without the column (none should be) is refused, not kept for ever.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom("login_session").execute();
  await db.schema.alterTable("login_session").addColumn("absolute_expires_at", "bigint", (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("login_session").dropColumn("absolute_expires_at").execute();
}
