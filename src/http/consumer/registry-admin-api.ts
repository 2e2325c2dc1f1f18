import { deleteProviderRevoking, updateProviderRevoking } from "../../consumer/token-revocation.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { instanceSecretBox } from "../../consumer/secret-box.ts";
import { clientRecord } from "../../domain/oauth-entity.ts";
import { parseProviderCreate, parseProviderUpdate, providerRecord } from "../../domain/oauth-provider.ts";
import { assertVersion, entityTag, ifMatchVersions } from "../../domain/record-version.ts";
import { NotFoundError } from "../../domain/validation.ts";
import type { Instance } from "../../instance.ts";
import { createClient, deleteClient, findClient, listClients, regenerateClientSecret, updateClient } from "../../store/oauth-entity-store.ts";
import { createProvider, findProvider, listProviders } from "../../store/provider-store.ts";
import { apiStep, jsonObjectBody, noProvider, requireAdmin } from "./admin-request.ts";
import { oauthRedirectUrl } from "../../consumer/oauth-redirect-url.ts";

/**
 * A small admin JSON API over both kinds of Application Registry record, for `pipeline up`
 * until the Table API (`/api/now/table/oauth_entity`) serves provider records too; the
 * pipeline reaches it only through pipeline/instance-admin-client.ts.
 */
const nameFilter = (request: FastifyRequest) => (request.query as { name?: string }).name;
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

export async function listEndpoints(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  const name = nameFilter(request);
  const result = (await listClients(instance.store.db)).filter((c) => name === undefined || c.name === name).map((c) => clientRecord(c));
  reply.header("cache-control", "no-store").send({ result });
}

/** GET …/endpoints/{id} (sys_id, client ID or name): one record, its version as the ETag. */
export async function getEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const client = await findClient(instance.store.db, idOf(request));
    if (!client) throw new NotFoundError(`no OAuth client "${idOf(request)}"`);
    reply.header("cache-control", "no-store").header("etag", entityTag(client.modCount)).send({ result: clientRecord(client) });
  });
}

/** DELETE …/endpoints/{id}: the client and every token and code issued to it. */
export async function deleteEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const expected = ifMatchVersions(request.headers["if-match"]);
    await deleteClient(instance.store.db, idOf(request), actor.userName, expected);
    reply.code(204).send();
  });
}

export async function createEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const created = await createClient(instance.store.db, jsonObjectBody(request), actor.userName);
    reply.code(201).header("cache-control", "no-store").header("etag", entityTag(created.client.modCount)).send({ result: clientRecord(created.client, created.clientSecret) });
  });
}

export async function updateEndpoint(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const changes = jsonObjectBody(request);
    const expected = ifMatchVersions(request.headers["if-match"]);
    const updated = await updateClient(instance.store.db, idOf(request), changes, actor.userName, expected);
    reply.header("cache-control", "no-store").header("etag", entityTag(updated.modCount)).send({ result: clientRecord(updated) });
  });
}

export async function regenerateEndpointSecret(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const expected = ifMatchVersions(request.headers["if-match"]);
    const regenerated = await regenerateClientSecret(instance.store.db, idOf(request), actor.userName, expected);
    reply.header("cache-control", "no-store").header("etag", entityTag(regenerated.client.modCount)).send({ result: clientRecord(regenerated.client, regenerated.clientSecret) });
  });
}

export async function listProviderRecords(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  const name = nameFilter(request);
  const result = (await listProviders(instance.store.db)).filter((p) => name === undefined || p.name === name).map(providerRecord);
  reply.header("cache-control", "no-store").send({ result });
}

/** GET …/providers/{id} (sys_id or name): one record, its version as the ETag. */
export async function getProviderRecord(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const provider = await findProvider(instance.store.db, idOf(request));
    if (!provider) throw noProvider(idOf(request));
    reply.header("cache-control", "no-store").header("etag", entityTag(provider.modCount)).send({ result: providerRecord(provider) });
  });
}

export async function createProviderRecord(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const settings = parseProviderCreate(jsonObjectBody(request));
    const created = await createProvider(instance.store.db, instanceSecretBox(instance), settings, oauthRedirectUrl(instance.config), actor.userName);
    reply.code(201).header("cache-control", "no-store").header("etag", entityTag(created.modCount)).send({ result: providerRecord(created) });
  });
}

export async function deleteProviderRecord(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const expected = ifMatchVersions(request.headers["if-match"]);
    const found = await findProvider(instance.store.db, idOf(request));
    if (!found) throw noProvider(idOf(request));
    // Checked before the provider is asked to revoke anything; the delete itself then wins over any edit.
    assertVersion(found, expected);
    const outcome = await deleteProviderRevoking(instance, found, actor.userName);
    // Deleted either way; how the revocation at the provider went, for scripts (the audit row has the reason).
    reply.code(204).header("portcullis-revocation", outcome.kind).send();
  });
}

/**
 * PATCH …/providers/{id}: any of the create's fields but the profile; those left out keep their
 * value (a rotation on the provider's side sends only `client_secret`). When the edit names
 * another client or token server, the token held is revoked there (best effort) and dropped:
 * the `portcullis-token` header says `discarded` and `portcullis-revocation` how that went.
 */
export async function updateProviderRecord(instance: Instance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const actor = await requireAdmin(instance, request);
  await apiStep(reply, async () => {
    const changes = parseProviderUpdate(jsonObjectBody(request));
    const expected = ifMatchVersions(request.headers["if-match"]);
    const found = await findProvider(instance.store.db, idOf(request));
    if (!found) throw noProvider(idOf(request));
    const updated = await updateProviderRevoking(instance, found, changes, actor.userName, expected);
    if (updated.tokenDiscarded) reply.header("portcullis-token", "discarded").header("portcullis-revocation", updated.revocation.kind);
    reply.header("cache-control", "no-store").header("etag", entityTag(updated.provider.modCount)).send({ result: providerRecord(updated.provider) });
  });
}
