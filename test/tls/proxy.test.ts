import assert from "node:assert/strict";
import fs from "node:fs";
import { after, describe, test } from "node:test";
import { loadConfig, type ConfigInput } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { http, registerClient } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";

const publicUrl = "https://portcullis.example";

/**
 * Behind a TLS-terminating proxy the instance itself speaks HTTP on loopback: the public URL
 * says what clients see, and forwarded headers count only from the proxies the operator named.
 */
describe("behind a TLS-terminating proxy (--public-url https://…, --trust-proxy)", () => {
  const dirs: string[] = [];
  const running: RunningServer[] = [];
  after(async () => {
    for (const server of running) await server.close().catch(() => {});
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(settings: Partial<ConfigInput>) {
    const dataDir = tempDir("portcullis-proxy-");
    dirs.push(dataDir);
    const port = await freePort();
    const log: string[] = [];
    const server = await startServer(loadConfig({ dataDir, port, host: "127.0.0.1", adminPassword, logLevel: "info", publicUrl, ...settings }), {
      print: () => {},
      logStream: { write: (line: string) => void log.push(line) },
    });
    running.push(server);
    return { base: `http://127.0.0.1:${port}`, server, log };
  }

  /** The client address the instance logged for the request with this path. */
  function loggedAddress(log: string[], marker: string): string | undefined {
    const entry = log.map((line) => JSON.parse(line)).find((e) => e.req?.path === marker || e.req?.url?.startsWith(marker));
    return entry?.req?.ip ?? entry?.req?.remoteAddress;
  }

  test("the issuer, metadata, redirects and cookies use the public https URL, not the Host the proxy forwarded", async () => {
    const { base, server } = await start({ trustProxy: ["127.0.0.1"] });
    const metadata = await http(`${base}/.well-known/oauth-authorization-server`, { headers: { host: "internal:8080" } });
    assert.equal(metadata.body.issuer, publicUrl);
    assert.equal(metadata.body.token_endpoint, `${publicUrl}/oauth_token.do`);
    assert.match(metadata.headers.get("strict-transport-security") ?? "", /max-age=/);
    const client = await registerClient(server.instance, { redirect_url: "https://client.example/cb" });
    const login = await http(`${base}/oauth_auth.do?${new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: "https://client.example/cb", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" })}`);
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie().join("\n");
    assert.match(cookie, /^__Host-portcullis_login_csrf=[^;]+;.*Secure/m);
  });

  test("X-Forwarded-For from a trusted proxy is believed", async () => {
    const { base, log } = await start({ trustProxy: ["127.0.0.1"] });
    await http(`${base}/.well-known/oauth-authorization-server?trusted`, { headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" } });
    assert.equal(loggedAddress(log, "/.well-known/oauth-authorization-server"), "203.0.113.7", log.join("\n"));
  });

  test("without --trust-proxy, or from a peer that is not the named proxy, forwarded headers are ignored", async () => {
    for (const trustProxy of [false, ["10.9.9.9"]]) {
      const { base, log } = await start({ trustProxy });
      await http(`${base}/.well-known/oauth-authorization-server`, { headers: { "x-forwarded-for": "203.0.113.7" } });
      assert.equal(loggedAddress(log, "/.well-known/oauth-authorization-server"), "127.0.0.1", `${JSON.stringify(trustProxy)}: ${log.join("\n")}`);
    }
  });
});
