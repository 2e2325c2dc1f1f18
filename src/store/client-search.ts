import type { Kysely } from "kysely";
import type { OAuthClient } from "../domain/oauth-entity.ts";
import { containsAny, type ListQuery, listPageSize, pageWithin } from "./numbered-page.ts";
import { listClientsWhere } from "./oauth-entity-store.ts";
import type { Database } from "./schema.ts";

/** The Application Registry list's columns, as sortable keys. */
export const registrySortKeys = ["name", "type", "client_id", "active", "redirect_url", "sys_updated_on"] as const;
export type RegistrySortKey = (typeof registrySortKeys)[number];

/** The text matches name, client ID or redirect URLs. */
export type RegistryQuery = ListQuery<RegistrySortKey>;

export interface RegistryPage {
  clients: OAuthClient[];
  /** Every client the text matches, on all pages. */
  total: number;
  /** The page shown, after one past the end was brought back to the last. */
  page: number;
}

const matching = (text: string) => containsAny(["oauth_entity.name", "oauth_entity.client_id", "oauth_entity.redirect_url"], text);

export async function searchClients(db: Kysely<Database>, query: RegistryQuery): Promise<RegistryPage> {
  let counting = db.selectFrom("oauth_entity").where("type", "=", "client");
  if (query.text) counting = counting.where(matching(query.text));
  const { count } = await counting.select((eb) => eb.fn.countAll().as("count")).executeTakeFirstOrThrow();
  const total = Number(count);
  const page = pageWithin(query.page, total);
  const clients = await listClientsWhere(db, (q) =>
    (query.text ? q.where(matching(query.text)) : q)
      .orderBy(query.sort, query.direction)
      .orderBy("sys_id")
      .limit(listPageSize)
      .offset((page - 1) * listPageSize),
  );
  return { clients, total, page };
}
