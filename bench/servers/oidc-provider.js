// panva's oidc-provider with one confidential client: client_credentials and introspection,
// opaque tokens, its default in-memory adapter, no development interactions needed.
import Provider from "oidc-provider";

const { CLIENTS, PORT } = process.env;
const [[CLIENT_ID, CLIENT_SECRET]] = JSON.parse(CLIENTS);
const issuer = `http://127.0.0.1:${PORT}`;
const provider = new Provider(issuer, {
  clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic" }],
  features: { clientCredentials: { enabled: true }, introspection: { enabled: true }, devInteractions: { enabled: false } },
  scopes: ["useraccount"],
  clientBasedCORS: () => false,
  routes: { token: "/oauth_token.do", introspection: "/oauth_introspect" },
});
provider.on("server_error", (_ctx, error) => process.stderr.write(`${error.stack}\n`));
provider.listen(Number(PORT), "127.0.0.1", () => process.send?.("ready"));
