import { paths } from "../paths.ts";

/** Where the admin pages live; links and redirects take them from here. */
export const adminPaths = {
  signIn: "/",
  login: "/login.do",
  home: "/admin",
  registry: "/admin/registry",
  registryNew: "/admin/registry/new",
  registryNewClient: "/admin/registry/new/client",
  registryRecord: (sysId: string) => `/admin/registry/${sysId}`,
  registryRegenerate: (sysId: string) => `/admin/registry/${sysId}/regenerate`,
  registryDelete: (sysId: string) => `/admin/registry/${sysId}/delete`,
  registryNewProvider: "/admin/registry/new/provider",
  provider: (sysId: string) => `/admin/providers/${sysId}`,
  providerEdit: (sysId: string) => `/admin/providers/${sysId}/edit`,
  providerToken: (sysId: string) => `/admin/providers/${sysId}/token`,
  providerDelete: (sysId: string) => `/admin/providers/${sysId}/delete`,
  /** "Get OAuth Token" for the Authorization Code grant: the consumer side's browser flow (src/http/consumer/authorization-code-flow.ts). */
  providerAuthorize: (sysId: string) => `${paths.connections}/${sysId}/authorize`,
  tokens: "/admin/tokens",
  tokenRevoke: (sysId: string) => `/admin/tokens/${sysId}/revoke`,
  tokensRevokeClient: "/admin/tokens/revoke-client",
  users: "/admin/users",
  user: (sysId: string) => `/admin/users/${sysId}`,
  userPassword: (sysId: string) => `/admin/users/${sysId}/password`,
  userRoles: (sysId: string) => `/admin/users/${sysId}/roles`,
  userActive: (sysId: string) => `/admin/users/${sysId}/active`,
  userDeactivate: (sysId: string) => `/admin/users/${sysId}/deactivate`,
  userLanguage: (sysId: string) => `/admin/users/${sysId}/language`,
  roles: "/admin/roles",
  audit: "/admin/audit",
  pipeline: "/admin/pipeline",
  profile: "/admin/profile",
  language: "/language",
  script: "/assets/admin.js",
  stylesheet: "/assets/admin.css",
} as const;

export function auditOf(tablename: string, documentkey: string): string {
  return `${adminPaths.audit}?${new URLSearchParams({ table: tablename, record: documentkey })}`;
}
