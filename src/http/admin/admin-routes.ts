import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instance } from "../../instance.ts";
import { adminPaths } from "./admin-paths.ts";
import { assetHandler } from "./assets.ts";
import { languageSwitch } from "./language.ts";
import { profileGet, profilePost, userLanguagePost } from "./profile.ts";
import { auditList } from "./audit.ts";
import { adminHome, pipeline, rolesList } from "./overview.ts";
import { regenerateConfirm, regenerateSecret, registryCreate, registryDelete, registryDeleteConfirm, registryInterceptor, registryList, registryNewForm, registryRecord, registryUpdate } from "./registry.ts";
import { providerCreate, providerDelete, providerDeleteConfirm, providerEditForm, providerNewForm, providerShow, providerToken, providerUpdate } from "./providers.ts";
import { signInGet, signInPost } from "./sign-in.ts";
import { tokenRevoke, tokenRevokeConfirm, tokensList, tokensRevokeClient, tokensRevokeClientConfirm } from "./tokens.ts";
import { userActive, userCreate, userDeactivateConfirm, userRoles, userSetPassword, userShow, usersList } from "./users.ts";

type Handler = (instance: Instance, request: FastifyRequest, reply: FastifyReply) => Promise<void> | void;

/** The admin UI's pages, as entries for the one routes table (all render errors as pages). */
export function adminRoutes(): { method: "GET" | "POST"; url: string; handler: Handler }[] {
  const script = assetHandler("admin.js", "text/javascript; charset=utf-8");
  const stylesheet = assetHandler("admin.css", "text/css; charset=utf-8");
  return [
    { method: "GET", url: adminPaths.signIn, handler: signInGet },
    { method: "POST", url: adminPaths.login, handler: signInPost },
    { method: "GET", url: adminPaths.home, handler: adminHome },
    { method: "GET", url: adminPaths.registry, handler: registryList },
    { method: "GET", url: adminPaths.registryNew, handler: registryInterceptor },
    { method: "GET", url: adminPaths.registryNewClient, handler: registryNewForm },
    { method: "POST", url: adminPaths.registryNewClient, handler: registryCreate },
    { method: "GET", url: "/admin/registry/:sysId", handler: registryRecord },
    { method: "POST", url: "/admin/registry/:sysId", handler: registryUpdate },
    { method: "GET", url: "/admin/registry/:sysId/regenerate", handler: regenerateConfirm },
    { method: "POST", url: "/admin/registry/:sysId/regenerate", handler: regenerateSecret },
    { method: "GET", url: "/admin/registry/:sysId/delete", handler: registryDeleteConfirm },
    { method: "POST", url: "/admin/registry/:sysId/delete", handler: registryDelete },
    { method: "GET", url: adminPaths.registryNewProvider, handler: providerNewForm },
    { method: "POST", url: adminPaths.registryNewProvider, handler: providerCreate },
    { method: "GET", url: "/admin/providers/:sysId", handler: providerShow },
    { method: "GET", url: "/admin/providers/:sysId/edit", handler: providerEditForm },
    { method: "POST", url: "/admin/providers/:sysId/edit", handler: providerUpdate },
    { method: "POST", url: "/admin/providers/:sysId/token", handler: providerToken },
    { method: "GET", url: "/admin/providers/:sysId/delete", handler: providerDeleteConfirm },
    { method: "POST", url: "/admin/providers/:sysId/delete", handler: providerDelete },
    { method: "GET", url: adminPaths.tokens, handler: tokensList },
    { method: "GET", url: "/admin/tokens/:sysId/revoke", handler: tokenRevokeConfirm },
    { method: "POST", url: "/admin/tokens/:sysId/revoke", handler: tokenRevoke },
    { method: "GET", url: adminPaths.tokensRevokeClient, handler: tokensRevokeClientConfirm },
    { method: "POST", url: adminPaths.tokensRevokeClient, handler: tokensRevokeClient },
    { method: "GET", url: adminPaths.users, handler: usersList },
    { method: "POST", url: adminPaths.users, handler: userCreate },
    { method: "GET", url: "/admin/users/:sysId", handler: userShow },
    { method: "POST", url: "/admin/users/:sysId/password", handler: userSetPassword },
    { method: "POST", url: "/admin/users/:sysId/roles", handler: userRoles },
    { method: "GET", url: "/admin/users/:sysId/deactivate", handler: userDeactivateConfirm },
    { method: "POST", url: "/admin/users/:sysId/active", handler: userActive },
    { method: "GET", url: adminPaths.roles, handler: rolesList },
    { method: "GET", url: adminPaths.audit, handler: auditList },
    { method: "GET", url: adminPaths.pipeline, handler: pipeline },
    { method: "POST", url: adminPaths.language, handler: languageSwitch },
    { method: "GET", url: adminPaths.profile, handler: profileGet },
    { method: "POST", url: adminPaths.profile, handler: profilePost },
    { method: "POST", url: "/admin/users/:sysId/language", handler: userLanguagePost },
    { method: "GET", url: adminPaths.script, handler: (_instance, request, reply) => script(request, reply) },
    { method: "GET", url: adminPaths.stylesheet, handler: (_instance, request, reply) => stylesheet(request, reply) },
  ];
}
