import { grantTypeNames } from "../../domain/oauth-entity.ts";
import type { Instance } from "../../instance.ts";
import { paths } from "../paths.ts";
import { supportedScopes } from "./scope.ts";

/** GET /.well-known/oauth-authorization-server — RFC 8414, listing exactly what is implemented. */
export function authorizationServerMetadata(instance: Instance) {
  const base = instance.config.publicUrl;
  return {
    issuer: base,
    authorization_endpoint: base + paths.authorize,
    token_endpoint: base + paths.token,
    revocation_endpoint: base + paths.revoke,
    introspection_endpoint: base + paths.introspect,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [...grantTypeNames],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none"],
    introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    code_challenge_methods_supported: ["S256"],
    scopes_supported: [...supportedScopes],
    authorization_response_iss_parameter_supported: true,
  };
}
