// @node-oauth/oauth2-server with an in-memory model: client_credentials, refresh_token
// (rotating), authorization_code and the bearer check. Refresh tokens and codes named
// `rt-…` / `code-…` are treated as pre-seeded, so the load generator can use each once.
import { createHash } from "node:crypto";
import http from "node:http";
import OAuth2Server from "@node-oauth/oauth2-server";

const { CLIENTS, PORT, VERIFIER } = process.env;
// Seeded codes carry the S256 challenge of the harness's one verifier, as Portcullis's seeded codes do.
const codeChallenge = createHash("sha256").update(VERIFIER).digest("base64url");
const known = new Map(JSON.parse(CLIENTS));
const { Request, Response } = OAuth2Server;
const client = { id: "bench", grants: ["client_credentials", "refresh_token", "authorization_code"], redirectUris: ["http://127.0.0.1/cb"], accessTokenLifetime: 1800, refreshTokenLifetime: 8640000 };
// Seeded tokens and codes belong to the last client named (the one acting as a user).
const seededClient = { ...client, id: [...known.keys()].at(-1) };
const user = { id: "admin" };
const accessTokens = new Map();
const refreshTokens = new Map();
const usedSeeds = new Set();
const future = () => new Date(Date.now() + 3600_000);

const model = {
  getClient: async (id, secret) => (known.has(id) && (secret === null || secret === undefined || secret === known.get(id)) ? { ...client, id } : null),
  getUserFromClient: async () => user,
  saveToken: async (token, c, u) => {
    const saved = { ...token, client: c, user: u };
    accessTokens.set(token.accessToken, saved);
    if (token.refreshToken) refreshTokens.set(token.refreshToken, saved);
    return saved;
  },
  getAccessToken: async (token) => accessTokens.get(token) ?? (token.startsWith("at-") ? { accessToken: token, accessTokenExpiresAt: future(), client: seededClient, user, scope: ["useraccount"] } : null),
  getRefreshToken: async (token) => {
    const stored = refreshTokens.get(token);
    if (stored) return { refreshToken: token, refreshTokenExpiresAt: stored.refreshTokenExpiresAt, client: stored.client, user: stored.user, scope: stored.scope };
    if (token.startsWith("rt-") && !usedSeeds.has(token)) return { refreshToken: token, refreshTokenExpiresAt: future(), client: seededClient, user, scope: ["useraccount"] };
    return null;
  },
  revokeToken: async (token) => {
    if (refreshTokens.delete(token.refreshToken)) return true;
    if (token.refreshToken.startsWith("rt-") && !usedSeeds.has(token.refreshToken)) return usedSeeds.add(token.refreshToken), true;
    return false;
  },
  getAuthorizationCode: async (code) => (code.startsWith("code-") && !usedSeeds.has(code) ? { authorizationCode: code, expiresAt: future(), redirectUri: "http://127.0.0.1/cb", client: seededClient, user, scope: ["useraccount"], codeChallenge, codeChallengeMethod: "S256" } : null),
  revokeAuthorizationCode: async (code) => (usedSeeds.has(code.authorizationCode) ? false : (usedSeeds.add(code.authorizationCode), true)),
  validateScope: async (_u, _c, scope) => scope ?? ["useraccount"],
  verifyScope: async () => true,
};
const oauth = new OAuth2Server({ model, allowEmptyState: true, requireClientAuthentication: { refresh_token: true, authorization_code: true } });

function reply(res, response) {
  res.writeHead(response.status, { ...response.headers, "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(response.body));
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url, "http://x");
      const body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      const request = new Request({ method: req.method, headers: req.headers, query: Object.fromEntries(url.searchParams), body });
      const response = new Response(res);
      try {
        if (req.method === "GET") {
          const token = await oauth.authenticate(request, response);
          response.status = 200;
          response.body = { result: { user_name: token.user.id, client_id: token.client.id, scope: [].concat(token.scope ?? []).join(" ") } };
        } else {
          await oauth.token(request, response, { alwaysIssueNewRefreshToken: true });
        }
      } catch (error) {
        response.status = error.code ?? 500;
        response.body = { error: error.name, error_description: error.message };
      }
      reply(res, response);
    });
  })
  .listen(Number(PORT), "127.0.0.1", () => process.send?.("ready"));
