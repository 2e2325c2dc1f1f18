import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { auditedTables, listAudit } from "../../store/audit-listing.ts";
import { cursorParam, epochCursor } from "../../store/keyset-cursor.ts";
import { countLiveTokens } from "../../store/token-listing.ts";
import { listRoles } from "../../store/user-admin-store.ts";
import { countUsers } from "../../store/user-search.ts";
import { listClients } from "../../store/oauth-entity-store.ts";
import { listProviders } from "../../store/provider-store.ts";
import { auditPage } from "../ui/admin/audit-page.tsx";
import { rolesPage } from "../ui/admin/roles-page.tsx";
import { adminHomePage } from "../ui/admin/simple-pages.tsx";
import { pipelinePage } from "../ui/admin/pipeline-page.tsx";
import { pipelineGraph } from "./pipeline-graph.ts";
import { requireAdmin, sendAdminHTML } from "./admin-session.ts";
import { adminPaths } from "./admin-paths.ts";

/** The read-only admin pages: overview, roles, audit, pipeline. */
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

const auditLimit = 300;

export const auditList: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (!admin) return;
  const query = request.query as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" && v !== "" && v.length <= 100 ? v : undefined);
  const tables = await auditedTables(instance.store.db);
  // A table with no audit rows (a stale link, a typo) is no filter: the choice shows All tables, so the list does too.
  const table = tables.find((name) => name === text(query.table));
  const record = text(query.record);
  const older = epochCursor(query.older);
  // One more than a page: whether there is an older page to link to.
  const found = await listAudit(instance.store.db, { ...(table ? { tablename: table } : {}), ...(record ? { documentkey: record } : {}), limit: auditLimit + 1, older });
  const rows = found.slice(0, auditLimit);
  const link = (cursor?: string) => `${adminPaths.audit}?${new URLSearchParams({ ...(table ? { table } : {}), ...(record ? { record } : {}), ...(cursor ? { older: cursor } : {}) })}`.replace(/\?$/, "");
  const last = rows.at(-1);
  const pages = {
    olderHref: found.length > auditLimit && last ? link(cursorParam({ time: last.createdAt, sysId: last.sysId })) : undefined,
    newestHref: older ? link() : undefined,
  };
  sendAdminHTML(reply, 200, auditPage({ viewer: admin.viewer, rows, tables, table, record, limit: auditLimit, pages, olderPage: older !== undefined }));
};

export const pipeline: Handler = async (instance, request, reply) => {
  const admin = await requireAdmin(instance, request, reply);
  if (admin) sendAdminHTML(reply, 200, pipelinePage({ viewer: admin.viewer, graph: await pipelineGraph(instance) }));
};
