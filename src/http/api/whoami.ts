import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { authenticateBasicUser, hasBasicCredentials } from "../identity/basic-auth.ts";
import { authenticateBearer } from "../oauth/bearer.ts";

interface Caller {
  user_name: string;
  user_sys_id: string;
  roles: string;
  client_id: string;
  client_name: string;
  scope: string;
}

/**
 * Who HTTP Basic acts as, where the REST APIs take it too (api-principal.ts): the user, with
 * the full rights useraccount gives, and no client.
 */
async function basicCaller(instance: Instance, request: FastifyRequest): Promise<Caller> {
  const { user, roles } = await authenticateBasicUser(instance, request);
  return { user_name: user.userName, user_sys_id: user.sysId, roles: roles.join(","), client_id: "", client_name: "", scope: "useraccount" };
}

async function bearerCaller(instance: Instance, request: FastifyRequest): Promise<Caller> {
  const principal = await authenticateBearer(instance, request);
  return {
    user_name: principal.user?.userName ?? "",
    user_sys_id: principal.user?.sysId ?? "",
    roles: principal.roles.join(","),
    client_id: principal.client.clientId,
    client_name: principal.client.name,
    scope: principal.scope,
  };
}

/** Who the request's credentials act as; refuses them (401) as every API does. */
export function whoamiCaller(instance: Instance, request: FastifyRequest): Promise<Caller> {
  return hasBasicCredentials(request) ? basicCaller(instance, request) : bearerCaller(instance, request);
}

/** GET /api/now/v1/whoami — who the credentials every API takes act as: proof that they open the instance's APIs. */
export async function whoami(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.send({ result: await whoamiCaller(instance, request) });
}
