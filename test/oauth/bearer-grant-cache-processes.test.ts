import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminPassword } from "../support/instance.ts";
import { type NodeProcess, startNodeProcess } from "../support/node-process.ts";
import { http, type HttpResult, postForm } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";

// Each process keeps bearer grants of its own on SQLite. A change committed by one process must
// reach every other at once: here node A is a plain `portcullis start` and node B a
// `--workers 2` cluster on the same file, so B's grants are kept in two processes, neither of
// which made the change. Each token is presented on B often enough for both workers to keep it.
describe("bearer grants kept in other processes on one SQLite file", () => {
  const nodes: NodeProcess[] = [];
  let a: NodeProcess;
  let b: NodeProcess;
  let adminBearer: string;
  let client: { id: string; secret: string };
  let userSysId: string;
  let grantSysId: string;

  const call = (node: NodeProcess, method: string, path: string, body?: unknown): Promise<HttpResult> =>
    http(`${node.base}${path}`, { method, headers: { authorization: adminBearer, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

  before(async () => {
    const dataDir = tempDir();
    const env = { PORTCULLIS_PUBLIC_URL: "http://portcullis.test" };
    // One after the other: the first migrates, the second finds the schema made.
    nodes.push((a = await startNodeProcess({ dataDir, env })));
    nodes.push((b = await startNodeProcess({ dataDir, env: { ...env, PORTCULLIS_WORKERS: "2" } })));
    const basicAdmin = `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`;
    const script = await http(`${a.base}/api/portcullis/registry/endpoints`, { method: "POST", headers: { authorization: basicAdmin, "content-type": "application/json" }, body: JSON.stringify({ name: "Cache test admin", grant_types: "password" }) });
    assert.equal(script.status, 201, script.text);
    const login = await postForm(`${a.base}/oauth_token.do`, { grant_type: "password", username: "admin", password: adminPassword, client_id: script.body.result.client_id, client_secret: script.body.result.client_secret });
    assert.equal(login.status, 200, login.text);
    adminBearer = `Bearer ${login.body.access_token}`;

    const user = await call(a, "POST", "/api/now/table/sys_user", { user_name: "worker.user" });
    assert.equal(user.status, 201, user.text);
    userSysId = user.body.result.sys_id;
    const role = await call(a, "POST", "/api/now/table/sys_user_role", { name: "itil" });
    assert.equal(role.status, 201, role.text);
    const grant = await call(a, "POST", "/api/now/table/sys_user_has_role", { user: userSysId, role: role.body.result.sys_id });
    assert.equal(grant.status, 201, grant.text);
    grantSysId = grant.body.result.sys_id;
    const created = await call(a, "POST", "/api/portcullis/registry/endpoints", { name: "Cache test machine", grant_types: "client_credentials", client_credentials_user: "worker.user" });
    assert.equal(created.status, 201, created.text);
    client = { id: created.body.result.client_id, secret: created.body.result.client_secret };
  });
  after(async () => {
    for (const node of nodes) node.child.kill("SIGTERM");
    await Promise.all(nodes.map((n) => n.exited));
  });

  async function issueOnA(): Promise<string> {
    const issued = await postForm(`${a.base}/oauth_token.do`, { grant_type: "client_credentials", client_id: client.id, client_secret: client.secret });
    assert.equal(issued.status, 200, issued.text);
    return issued.body.access_token as string;
  }

  /** whoami on B, as many times as it takes both workers to have answered (round robin): each answer. */
  async function askB(token: string): Promise<HttpResult[]> {
    const answers: HttpResult[] = [];
    for (let i = 0; i < 6; i++) answers.push(await http(`${b.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }));
    return answers;
  }

  test("a role taken away on A is gone from every worker of B at once", async () => {
    const token = await issueOnA();
    for (const answer of await askB(token)) assert.equal(answer.body.result?.roles, "itil", answer.text);
    const removed = await call(a, "DELETE", `/api/now/table/sys_user_has_role/${grantSysId}`);
    assert.equal(removed.status, 204, removed.text);
    for (const answer of await askB(token)) assert.equal(answer.body.result?.roles, "", answer.text);
  });

  test("a token revoked on A is refused by every worker of B at once", async () => {
    const token = await issueOnA();
    for (const answer of await askB(token)) assert.equal(answer.status, 200);
    const revoked = await postForm(`${a.base}/oauth_revoke_token.do`, { token, client_id: client.id, client_secret: client.secret });
    assert.equal(revoked.status, 200, revoked.text);
    for (const answer of await askB(token)) assert.equal(answer.status, 401);
  });

  test("a user deactivated on A is refused by every worker of B at once", async () => {
    const token = await issueOnA();
    for (const answer of await askB(token)) assert.equal(answer.status, 200);
    const patched = await call(a, "PATCH", `/api/now/table/sys_user/${userSysId}`, { active: "false" });
    assert.equal(patched.status, 200, patched.text);
    for (const answer of await askB(token)) assert.equal(answer.status, 401);
  });
});
