import type { ClientCreateInput } from "../../src/domain/oauth-entity.ts";
import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import type { Instance } from "../../src/instance.ts";
import { createClient } from "../../src/store/oauth-entity-store.ts";
import type { Store } from "../../src/store/database.ts";

export interface RegisteredClient {
  clientId: string;
  secret: string;
  sysId: string;
}

export async function registerClient(instance: Instance, input: Partial<ClientCreateInput> = {}): Promise<RegisteredClient> {
  const created = await createClient(instance.store.db, parseClientCreate({ name: `Client ${Math.random().toString(36).slice(2)}`, ...input }), "test");
  return { clientId: created.client.clientId, secret: created.clientSecret ?? "", sysId: created.client.sysId };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, { redirect: "manual", ...init });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body, text };
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;
}

/** POSTs a form to the token endpoint (or another), with the client in HTTP Basic unless told otherwise. */
export async function postForm(url: string, params: Record<string, string> | string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const body = typeof params === "string" ? params : new URLSearchParams(params).toString();
  return http(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });
}

/** Row counts of every table a request could write; a refused request must leave them all alone. */
export async function tableCounts(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const tables = ["sys_user", "sys_user_role", "sys_user_has_role", "oauth_entity", "oauth_credential", "oauth_auth_code", "login_session", "sys_audit", "incident", "sys_db_object", "sys_dictionary"] as const;
  for (const table of tables) {
    const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const revoked = await store.db.selectFrom("oauth_credential").select((eb) => eb.fn.countAll<number>().as("n")).where("revoked_at", "is not", null).executeTakeFirstOrThrow();
  counts.revoked = Number(revoked.n);
  return counts;
}
