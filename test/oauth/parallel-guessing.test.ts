import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashPassword } from "../../src/domain/passwords.ts";
import { createUser, findUserByName } from "../../src/store/user-store.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { basic, http, type HttpResult, postForm, registerClient } from "../support/oauth.ts";
import { awayFromMinuteEdge } from "../support/rate-window.ts";
import { dialectsUnderTest } from "../support/stores.ts";

/** RFC 7617 Basic for a user: the password as typed. */
const userBasic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString("base64")}`;
const tablePath = "/api/now/table/incident";
const adminPath = "/api/portcullis/registry/endpoints";

/** `size` guesses sent at once, the right password at `rightAt`; the answers in the order sent. */
function burst(size: number, rightAt: number, right: string, send: (password: string) => Promise<HttpResult>): Promise<HttpResult[]> {
  return Promise.all(Array.from({ length: size }, (_, i) => send(i === rightAt ? right : `wrong guess ${i}`)));
}

/** How a burst was answered: passwords found wrong (each one checked), refusals as locked, 429s and successes. */
function tally(answers: HttpResult[]): { wrong: number; locked: number; tooMany: number; ok: number } {
  return {
    wrong: answers.filter((a) => /user name or password is wrong/.test(a.text)).length,
    locked: answers.filter((a) => /locked/.test(a.text)).length,
    tooMany: answers.filter((a) => a.status === 429).length,
    ok: answers.filter((a) => a.status === 200).length,
  };
}

for (const dialect of dialectsUnderTest()) {
  describe(`the lockout holds against parallel guesses (5 attempts) on ${dialect.name}`, () => {
    let server: TestInstance;
    let token: (form: Record<string, string>) => Promise<HttpResult>;
    const send = (path: string, authorization: string) => http(`${server.base}${path}`, { headers: { authorization, accept: "application/json" } });
    const newUser = async (userName: string, roles: string[] = []) =>
      createUser(server.instance.store.db, { userName, passwordHash: await hashPassword(`${userName} password`), roles }, "test");
    const lockState = async (userName: string) => {
      const user = await findUserByName(server.instance.store.db, userName);
      return { failedAttempts: user!.failedAttempts, locked: (user!.lockedUntil ?? 0) > Date.now() };
    };

    before(async () => {
      // The per-address limit is off here so that every guess reaches the account's lockout; it has its own block below.
      server = await startTestInstance(dialect, { rateLimitLoginPerIp: 0 });
      const client = await registerClient(server.instance, { grant_types: ["password"] });
      token = (form) => postForm(`${server.base}/oauth_token.do`, { grant_type: "password", ...form }, { authorization: basic(client.clientId, client.secret) });
    });
    after(() => server.close());

    test("a burst of password grants has exactly five wrong passwords checked, and the right one in it is refused as locked", async () => {
      await newUser("grant.target");
      const answers = await burst(30, 15, "grant.target password", (password) => token({ username: "grant.target", password }));
      assert.deepEqual(tally(answers), { wrong: 5, locked: 25, tooMany: 0, ok: 0 });
      assert.match(answers[15]!.body.error_description, /locked/);
      assert.deepEqual(await lockState("grant.target"), { failedAttempts: 5, locked: true });
    });

    test("an unknown name under a burst has as many guesses checked as a real one, and then reads as locked", async () => {
      const answers = await burst(30, -1, "", (password) => token({ username: "ghost.burst", password }));
      assert.deepEqual(tally(answers), { wrong: 5, locked: 25, tooMany: 0, ok: 0 });
    });

    test("HTTP Basic on the Table API: a burst has exactly five wrong passwords checked, and the right one is refused as locked", async () => {
      await newUser("basic.target");
      const answers = await burst(60, 30, "basic.target password", (password) => send(tablePath, userBasic("basic.target", password)));
      assert.deepEqual(tally(answers), { wrong: 5, locked: 55, tooMany: 0, ok: 0 });
      assert.equal(answers[30]!.status, 401);
      assert.match(answers[30]!.body.error.detail, /locked/);
      assert.deepEqual(await lockState("basic.target"), { failedAttempts: 5, locked: true });
    });

    test("HTTP Basic on the admin JSON API: a burst has exactly five wrong passwords checked, and the right one is refused as locked", async () => {
      await newUser("admin.target", ["admin"]);
      const answers = await burst(40, 20, "admin.target password", (password) => send(adminPath, userBasic("admin.target", password)));
      assert.deepEqual(tally(answers), { wrong: 5, locked: 35, tooMany: 0, ok: 0 });
      assert.match(answers[20]!.body.error.detail, /locked/);
      assert.deepEqual(await lockState("admin.target"), { failedAttempts: 5, locked: true });
    });
  });

  describe(`parallel HTTP Basic from one address (10 logins a minute) on ${dialect.name}`, () => {
    let server: TestInstance;
    const send = (path: string, authorization: string) => http(`${server.base}${path}`, { headers: { authorization, accept: "application/json" } });
    before(async () => {
      server = await startTestInstance(dialect, { rateLimitLoginPerIp: 10 });
      await createUser(server.instance.store.db, { userName: "busy.script", passwordHash: await hashPassword("busy.script password"), roles: ["admin"] }, "test");
    });
    after(() => server.close());

    test("a burst of right passwords, more than the lockout and the address allowance, all succeed and lock nothing", async () => {
      const authorization = userBasic("busy.script", "busy.script password");
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 === 0 ? tablePath : adminPath, authorization)));
      assert.deepEqual(answers.map((a) => a.status), Array(40).fill(200));
      const user = await findUserByName(server.instance.store.db, "busy.script");
      assert.deepEqual({ failedAttempts: user!.failedAttempts, lockedUntil: user!.lockedUntil }, { failedAttempts: 0, lockedUntil: null });
    });

    test("a burst of failures over the Table API and the admin API has no more passwords checked than the address allows; the rest wait with 429", async () => {
      // The allowance counts per fixed minute: a burst straddling its end would start a fresh count.
      await awayFromMinuteEdge();
      // A different name each time, so no account's lockout stops the burst before the address limit does.
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 === 0 ? tablePath : adminPath, userBasic(`nobody.${i}`, "wrong"))));
      assert.deepEqual(tally(answers), { wrong: 10, locked: 0, tooMany: 30, ok: 0 });
      const retry = answers.find((a) => a.status === 429)!;
      assert.ok(Number(retry.headers.get("retry-after")) > 0);
    });
  });
}
