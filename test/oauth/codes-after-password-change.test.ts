import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { setUserActive, setUserPassword } from "../../src/store/user-admin-store.ts";
import { FormBrowser } from "../support/browser.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, postForm, registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pkcePair } from "../support/pkce.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { apiUser } from "../support/table-api.ts";
import { liveTokenCount } from "../support/user-access.ts";

const redirectUri = "https://client.example/cb";

/**
 * A code the user allowed before their password changed, or before they were deactivated, is
 * ended with their tokens and sessions: exchanged afterwards it is refused as any unknown code,
 * and, never having produced tokens, it is not taken for a replay (no revocation, no audit).
 */
for (const dialect of dialectsUnderTest()) {
  describe(`authorization codes end with what the old password opened, on ${dialect.name}`, () => {
    let server: TestInstance;
    let client: RegisteredClient;

    before(async () => {
      server = await startTestInstance(dialect);
      client = await registerClient(server.instance, { name: "Code client", grant_types: "authorization_code,refresh_token", redirect_url: redirectUri });
    });
    after(() => server.close());

    const db = () => server.instance.store.db;

    /** Signs in and allows on /oauth_auth.do, as the user would: the code and its verifier. */
    async function allowedCode(userName: string, password: string): Promise<{ code: string; verifier: string }> {
      const { verifier, challenge } = pkcePair();
      const browser = new FormBrowser(server.base);
      const query = new URLSearchParams({ response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: "S256" });
      const login = await browser.get(`/oauth_auth.do?${query}`);
      const consent = await browser.get((await browser.submit(login, { user_name: userName, user_password: password })).location!);
      const back = await browser.submit(consent, { action: "allow" });
      assert.equal(back.status, 303, back.html);
      return { code: new URL(back.location!).searchParams.get("code")!, verifier };
    }

    const exchange = (code: string, verifier: string) =>
      postForm(`${server.base}/oauth_token.do`, { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier }, { authorization: basic(client.clientId, client.secret) });

    const replayAudits = async () => (await db().selectFrom("sys_audit").select("sys_id").where("tablename", "=", "oauth_credential").where("reason", "=", "authorization code replayed").execute()).length;

    test("a code allowed before a new password is refused with invalid_grant after it, and is not taken for a replay", async () => {
      const dave = await apiUser(server, "dave");
      const { code, verifier } = await allowedCode("dave", dave.password);
      const before = await allowedCode("dave", dave.password);
      const kept = await exchange(before.code, before.verifier);
      assert.equal(kept.status, 200, "a code exchanged before the change gave tokens, which the change revokes");
      const replaysBefore = await replayAudits();

      await setUserPassword(db(), dave.sysId, await hashPassword("dave's new password"), { actor: "admin" });
      const res = await exchange(code, verifier);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, "invalid_grant");
      assert.equal(await liveTokenCount(db(), dave.sysId), 0);
      assert.equal(await replayAudits(), replaysBefore, "no replay was recorded");
      assert.equal((await exchange(before.code, before.verifier)).body.error, "invalid_grant", "the code already exchanged is still a replay");
      assert.equal(await replayAudits(), replaysBefore + 1);

      const fresh = await allowedCode("dave", "dave's new password");
      assert.equal((await exchange(fresh.code, fresh.verifier)).status, 200, "a code allowed with the new password works");
    });

    test("a code allowed before a deactivation is refused after the user is activated again", async () => {
      const erin = await apiUser(server, "erin");
      const { code, verifier } = await allowedCode("erin", erin.password);
      await setUserActive(db(), erin.sysId, false, "admin");
      await setUserActive(db(), erin.sysId, true, "admin");
      const res = await exchange(code, verifier);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, "invalid_grant");
      assert.equal(await liveTokenCount(db(), erin.sysId), 0);
    });
  });
}
