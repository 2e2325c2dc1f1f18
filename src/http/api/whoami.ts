import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { authenticateBearer } from "../oauth/bearer.ts";

/** GET /api/now/v1/whoami — who a bearer token acts as: proof that the token opens the instance's APIs. */
export async function whoami(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const principal = await authenticateBearer(instance, request);
  reply.send({
    result: {
      user_name: principal.user?.userName ?? "",
      user_sys_id: principal.user?.sysId ?? "",
      roles: principal.roles.join(","),
      client_id: principal.client.clientId,
      client_name: principal.client.name,
      scope: principal.scope,
    },
  });
}
