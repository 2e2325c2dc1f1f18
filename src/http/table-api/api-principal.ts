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

/** The REST API a request came to, named in the refusal of a token that acts for no user. */
export type ApiName = "Table API" | "Aggregate API" | "Attachment API" | "Batch API" | "Import Set API" | "Scripted REST API";

/** A bearer token, or a user's name and password over HTTP Basic. */
export async function authenticateApi(instance: Instance, request: FastifyRequest, options: { api: ApiName }): Promise<ApiPrincipal> {
  if (hasBasicCredentials(request)) {
    const { user, roles } = await authenticateBasicUser(instance, request);
    return { user, roles, scope: "useraccount" };
  }
  const principal = await authenticateBearer(instance, request);
  // Records are written in a user's name; a client alone has none to act as.
  if (!principal.user) throw forbidden(`this token acts for no user; give the client a client_credentials_user to use the ${options.api}`);
  return { user: principal.user, roles: principal.roles, scope: principal.scope };
}
