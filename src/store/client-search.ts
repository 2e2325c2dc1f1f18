import { type Kysely, sql } from "kysely";
import type { OAuthClient } from "../domain/oauth-entity.ts";
import { listClientsWhere } from "./oauth-entity-store.ts";
import type { Database } from "./schema.ts";

/** The Application Registry list's columns, as sortable keys. */
export const registrySortKeys = ["name", "type", "client_id", "active", "redirect_url", "sys_updated_on"] as const;
export type RegistrySortKey = (typeof registrySortKeys)[number];

export interface RegistryQuery {
  /** Matches name, client ID or redirect URLs, case-insensitively, as plain text. */
  text: string;
  sort: RegistrySortKey;
  direction: "asc" | "desc";
}

export async function searchClients(db: Kysely<Database>, query: RegistryQuery): Promise<OAuthClient[]> {
  // LIKE wildcards the admin types are taken literally.
  const pattern = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return listClientsWhere(db, (q) => {
    let out = q;
    if (query.text) {
      out = out.where((eb) =>
        eb.or(
          (["name", "client_id", "redirect_url"] as const).map((column) => sql<boolean>`lower(${sql.ref(`oauth_entity.${column}`)}) like ${pattern} escape '\\'`),
        ),
      );
    }
    return out.orderBy(query.sort, query.direction).orderBy("sys_id");
  });
}
