/** The platform's wire paths, named once; every route and printed URL takes them from here. */
export const paths = {
  authorize: "/oauth_auth.do",
  token: "/oauth_token.do",
  revoke: "/oauth_revoke_token.do",
  introspect: "/oauth_introspect",
  metadata: "/.well-known/oauth-authorization-server",
  whoami: "/api/now/v1/whoami",
  batch: "/api/now/v1/batch",
  logout: "/logout.do",
  health: "/health",
  ready: "/ready",
  oauthRedirect: "/oauth_redirect.do",
  connections: "/api/portcullis/connections",
  registry: "/api/portcullis/registry",
  scriptedRest: "/api/:namespace/:api_id",
  pipelineRuns: "/api/portcullis/pipeline/runs",
} as const;
