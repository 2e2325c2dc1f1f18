import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { http, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const providers = "/api/portcullis/registry/providers";

for (const dialect of dialectsUnderTest()) {
  describe(`the OAuth profile of a provider record: the named grant type and scope its tokens are asked with (${dialect.name})`, () => {
    let consumer: TestInstance;
    let peer: TestInstance;
    let client: RegisteredClient;
    before(async () => {
      [consumer, peer] = await Promise.all([startTestInstance(dialect), startTestInstance(dialect)]);
      client = await registerClient(peer.instance, { grant_types: "client_credentials" });
    });
    after(async () => {
      await Promise.all([consumer?.close(), peer?.close()]);
    });

    const send = (method: string, path: string, body?: unknown) =>
      http(`${consumer.base}${path}`, { method, headers: { authorization: basic("admin", adminPassword), ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const input = (name: string, extra: Record<string, unknown> = {}) => ({ name, client_id: `${client.clientId}`, client_secret: client.secret, token_url: `${peer.base}/oauth_token.do`, ...extra });
    const counts = async () => {
      const db = consumer.instance.store.db;
      const n = async (table: "oauth_entity" | "oauth_entity_profile") => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
      return { entities: await n("oauth_entity"), profiles: await n("oauth_entity_profile") };
    };

    test("a bad profile name is a 400 at the field and stores nothing", async () => {
      const before = await counts();
      for (const bad of ["", "   ", "a\u0007bell", "x".repeat(101), 42]) {
        const answer = await send("POST", providers, input("Bad Profile", { oauth_profile: bad }));
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.match(answer.body.error.message, /oauth_profile/);
      }
      assert.deepEqual(await counts(), before);
    });

    test("without a name, the platform's default profile; with one, that name; either holds the default grant and scope", async () => {
      const plain = await send("POST", providers, input("Peer Plain", { scope: "useraccount" }));
      assert.equal(plain.status, 201, JSON.stringify(plain.body));
      assert.equal(plain.body.result.oauth_profile, "Peer Plain default_profile");
      await send("DELETE", `${providers}/${plain.body.result.sys_id}`);

      const named = await send("POST", providers, input("Peer Named", { oauth_profile: "  Pipeline read access ", scope: "useraccount", default_grant: "client_credentials" }));
      assert.equal(named.status, 201, JSON.stringify(named.body));
      assert.equal(named.body.result.oauth_profile, "Pipeline read access");
      const profile = await consumer.instance.store.db.selectFrom("oauth_entity_profile").selectAll().where("entity", "=", named.body.result.sys_id).execute();
      assert.deepEqual(profile.map((p) => [p.name, p.grant_type, p.scope, Number(p.is_default)]), [["Pipeline read access", "client_credentials", "useraccount", 1]]);

      // A token asked for without naming a grant uses the profile's grant and scope.
      const token = await send("POST", `/api/portcullis/connections/${named.body.result.sys_id}/token`, {});
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(token.body.result.grant_type, "client_credentials");
      const stored = await consumer.instance.store.db.selectFrom("oauth_obtained_token").select(["scope", "grant_type"]).where("provider", "=", named.body.result.sys_id).executeTakeFirstOrThrow();
      assert.deepEqual(stored, { scope: "useraccount", grant_type: "client_credentials" });
      // Deleting the provider takes its profile with it.
      assert.equal((await send("DELETE", `${providers}/${named.body.result.sys_id}`)).status, 204);
      assert.equal((await counts()).profiles, 0);
    });

    if (dialect.name.startsWith("sqlite")) {
      test("the CLI's --oauth-profile names it, and provider show prints it", async () => {
        const data = tempDir();
        try {
          const env = { PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_PROVIDER_CLIENT_SECRET: client.secret };
          let stdout = "";
          let stderr = "";
          // Apart: on a fresh directory the CLI says on stderr that it made a new instance.
          const io = { out: (s: string) => void (stdout += `${s}\n`), err: (s: string) => void (stderr += `${s}\n`) };
          const created = await main(["node", "portcullis", "provider", "create", "--data", data, "--name", "Peer CLI", "--client-id", client.clientId, "--token-url", `${peer.base}/oauth_token.do`, "--oauth-profile", "Nightly sync", "--json"], io, env);
          assert.equal(created, 0, stdout + stderr);
          assert.equal(JSON.parse(stdout).oauth_profile, "Nightly sync");
          stdout = "";
          assert.equal(await main(["node", "portcullis", "provider", "show", "Peer CLI", "--data", data], io, env), 0);
          assert.match(stdout, /oauth_profile\s+Nightly sync/);
        } finally {
          fs.rmSync(data, { recursive: true, force: true });
        }
      });
    }
  });
}
