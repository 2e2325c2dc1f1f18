import type { FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import type { Actor } from "../../store/user-store.ts";
import { authenticateBasicUser, hasBasicCredentials } from "../identity/basic-auth.ts";
import { authenticateBearer } from "../oauth/bearer.ts";
import { forbidden } from "./errors.ts";

/** Who a Table API request acts as. Every record it writes names this user. */
export interface ApiPrincipal {
  user: Actor;
  roles: readonly string[];
  scope: string;
}

/** A bearer token, or a user's name and password over HTTP Basic. */
export async function authenticateApi(instance: Instance, request: FastifyRequest): Promise<ApiPrincipal> {
  if (hasBasicCredentials(request)) {
    const { user, roles } = await authenticateBasicUser(instance, request);
    return { user, roles, scope: "useraccount" };
  }
  const principal = await authenticateBearer(instance, request);
  // Records are written in a user's name; a client alone has none to act as.
  if (!principal.user) throw forbidden("this token acts for no user; give the client a client_credentials_user to use the Table API");
  return { user: principal.user, roles: principal.roles, scope: principal.scope };
}
