import { parseClientCreate } from "../../src/domain/oauth-entity.ts";
import { hashPassword } from "../../src/domain/passwords.ts";
import { createClient, findClientBySysId } from "../../src/store/oauth-entity-store.ts";
import { issueTokens } from "../../src/store/token-store.ts";
import { createUser, findUserByName } from "../../src/store/user-store.ts";
import type { TestInstance } from "./instance.ts";
import { http, type HttpResult } from "./oauth.ts";

/** A Table API caller: a user with roles and a live access token issued to them. */
export interface ApiUser {
  userName: string;
  sysId: string;
  token: string;
  password: string;
}

let clientSysId: string | undefined;

export async function apiUser(server: TestInstance, userName: string, roles: string[] = [], scope = "useraccount"): Promise<ApiUser> {
  const db = server.instance.store.db;
  const password = `pw-${userName}-secret`;
  const user = (await findUserByName(db, userName)) ?? (await createUser(db, { userName, name: `${userName} Name`, passwordHash: await hashPassword(password), roles }, "test"));
  if (!clientSysId || !(await findClientBySysId(db, clientSysId))) {
    clientSysId = (await createClient(db, parseClientCreate({ name: `Table API test client ${Math.random()}`, grant_types: ["password"] }), "test")).client.sysId;
  }
  const client = (await findClientBySysId(db, clientSysId))!;
  const issued = await issueTokens(db, { client, userSysId: user.sysId, scope, grantType: "password", withRefreshToken: false }, "test");
  return { userName, sysId: user.sysId, token: issued.accessToken, password };
}

/** Calls the Table API with a bearer token (or any Authorization given). */
export function api(server: TestInstance, method: string, path: string, options: { token?: string; authorization?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers, accept: "application/json" };
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  if (authorization) headers.authorization = authorization;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  return http(`${server.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

export const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
