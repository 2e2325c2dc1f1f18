import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { countLiveTokens } from "../../store/token-listing.ts";
import { listRoles } from "../../store/user-admin-store.ts";
import { countUsers } from "../../store/user-search.ts";
import { listClients } from "../../store/oauth-entity-store.ts";
import { listProviders } from "../../store/provider-store.ts";
import { rolesPage } from "../ui/admin/roles-page.tsx";
import { adminHomePage } from "../ui/admin/simple-pages.tsx";
import { pipelinePage } from "../ui/admin/pipeline-page.tsx";
import { pipelineGraph } from "./pipeline-graph.ts";
import { requireAdmin, sendAdminHTML } from "./admin-session.ts";

/** The read-only admin pages: overview, roles, pipeline. */
type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export const adminHome: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const db = instance.store.db;
  // The registry card counts both kinds the registry lists: endpoints this instance issues, providers it holds clients of.
  const [clients, providers, liveTokens, users] = await Promise.all([listClients(db), listProviders(db), countLiveTokens(db), countUsers(db)]);
  sendAdminHTML(reply, 200, adminHomePage({ viewer: admin.viewer, counts: { clients: clients.length, providers: providers.length, liveTokens, users } }));
};

export const rolesList: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) sendAdminHTML(reply, 200, rolesPage({ viewer: admin.viewer, roles: await listRoles(instance.store.db) }));
};

export const pipeline: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) sendAdminHTML(reply, 200, pipelinePage({ viewer: admin.viewer, graph: await pipelineGraph(instance) }));
};
