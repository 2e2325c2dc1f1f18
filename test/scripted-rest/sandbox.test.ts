import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import { adminPassword, freePort, startTestInstance, type TestInstance, testSecretKey } from "../support/instance.ts";
import { defineApi } from "../support/scripted-rest.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";
import { api, type ApiUser, apiUser } from "../support/table-api.ts";

/**
 * Scripts that try to leave the sandbox or take the server down. Each must end in a clean
 * answer (the script's own, or a 500 envelope naming the resource), and a normal request
 * must still be answered right after.
 */
const escapes: { name: string; script: string; expect: "contained" | number }[] = [
  { name: "function constructor to process", script: "return String(this.constructor.constructor('return typeof process')())", expect: "contained" },
  { name: "object constructor to process", script: "return ({}).constructor.constructor('return process')()", expect: 500 },
  { name: "prototype pollution", script: "Object.prototype.polluted = 'yes'; Array.prototype.push = null; JSON.stringify = () => 'hacked'; return 'polluted'", expect: "contained" },
  { name: "dynamic import", script: "const fs = await import('fs'); return fs.readFileSync('/etc/passwd', 'utf8')", expect: 500 },
  { name: "require", script: "return require('child_process').execSync('id').toString()", expect: 500 },
  { name: "process", script: "return process.env", expect: 500 },
  { name: "globalThis probing", script: "return Object.getOwnPropertyNames(globalThis).filter((n) => /^(process|require|module|exports|Buffer|setTimeout|setInterval|setImmediate|fetch|console|std|os|WebAssembly|Deno|Bun)$/.test(n))", expect: "contained" },
  { name: "infinite loop", script: "while (true) {}", expect: 500 },
  { name: "memory bomb", script: "let a = []; for (;;) a.push('x'.repeat(1e6))", expect: 500 },
  { name: "deep recursion", script: "function f(n) { return f(n + 1) + 1 } return f(0)", expect: 500 },
  { name: "huge output", script: "return 'x'.repeat(5 * 1024 * 1024)", expect: 500 },
  { name: "huge log", script: "for (let i = 0; i < 2000; i++) gs.info('x'.repeat(1000)); return 'logged'", expect: "contained" },
  { name: "throwing a number", script: "throw 42", expect: 500 },
  { name: "throwing an object with a looping getter", script: "throw { get message() { for (;;) {} } }", expect: 500 },
  { name: "returning a cyclic object", script: "const a = {}; a.self = a; return a", expect: 500 },
  { name: "returning a function", script: "return function () {}", expect: 500 },
  { name: "awaiting forever", script: "await new Promise(() => {})", expect: 500 },
  // A script that does not compile is refused on save (resources.test.ts); one can still build code that does not at run time.
  { name: "syntax error at run time", script: "return eval('return {')", expect: 500 },
  { name: "setting a cookie", script: "response.setHeader('Set-Cookie', 'session=stolen'); return 1", expect: 500 },
  { name: "a hop-by-hop header", script: "response.setHeader('Transfer-Encoding', 'chunked'); return 1", expect: 500 },
  { name: "a bad status", script: "response.setStatus(99); return 1", expect: 500 },
  { name: "data calls in a loop", script: "for (;;) await table.query('incident', '', 1)", expect: 500 },
];

for (const dialect of dialectsUnderTest()) {
  describe(`the script sandbox on ${dialect.name}`, () => {
    let server: TestInstance;
    let admin: ApiUser;
    let ada: ApiUser;
    let ids: string[];
    before(async () => {
      server = await startTestInstance(dialect, { scriptTimeoutMs: 1000, scriptMemoryMb: 32, scriptOutputKb: 1024 });
      admin = await apiUser(server, "admin");
      ada = await apiUser(server, "ada");
      ({ operations: ids } = await defineApi(server, admin, "x_box", "t", [
        { name: "normal", http_method: "GET", relative_path: "/normal", operation_script: "return { ok: true, clean: ({}).polluted === undefined && [].push !== null && JSON.stringify({a:1}) === '{\"a\":1}' };" },
        ...escapes.map((e, i) => ({ name: e.name, http_method: "GET", relative_path: `/e${i}`, operation_script: e.script })),
      ]));
    });
    after(() => server.close());

    const normal = async () => {
      const res = await api(server, "GET", "/api/x_box/t/normal", { token: ada.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { result: { ok: true, clean: true } });
    };

    for (const [i, e] of escapes.entries()) {
      test(`contained: ${e.name}`, async () => {
        const res = await api(server, "GET", `/api/x_box/t/e${i}`, { token: ada.token });
        if (e.expect === "contained") {
          assert.equal(res.status, 200, res.text);
          assert.doesNotMatch(res.text, /process|require|root:|uid=/);
          if (e.name === "globalThis probing") assert.deepEqual(res.body, { result: [] });
        } else {
          assert.equal(res.status, e.expect, res.text);
          assert.equal(res.body.status, "failure");
          assert.match(res.body.error.message, new RegExp(`Script error in resource "${e.name}"`));
          assert.doesNotMatch(res.body.error.detail, / at |\.js:/, "no stack trace without the debug flag");
        }
        await normal();
      });
    }

    test("the failures say which limit was hit", async () => {
      const detail = async (name: string) => (await api(server, "GET", `/api/x_box/t/e${escapes.findIndex((e) => e.name === name)}`, { token: ada.token })).body.error.detail;
      assert.match(await detail("infinite loop"), /time limit/);
      assert.match(await detail("memory bomb"), /out of memory/);
      assert.match(await detail("huge output"), /size limit/);
      assert.match(await detail("throwing a number"), /threw/);
      assert.match(await detail("awaiting forever"), /never settles/);
    });

    test("requests running beside a looping script are answered", async () => {
      const loop = api(server, "GET", `/api/x_box/t/e${escapes.findIndex((e) => e.name === "infinite loop")}`, { token: ada.token });
      const others = await Promise.all([normal(), api(server, "GET", "/api/now/table/incident?sysparm_limit=1", { token: ada.token })]);
      assert.equal(others[1].status, 200);
      assert.equal((await loop).status, 500);
    });

    test("gs log lines and script failures go to the server log, never the caller's credentials", async () => {
      const lines: string[] = [];
      const { store, dispose } = await dialect.open();
      const config = loadConfig({ dataDir: tempDir(), port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "info", requestLog: false, ...(store.dialect === "postgres" ? { secretKey: testSecretKey } : {}) });
      const logged = await startServer(config, { store, print: () => {}, logStream: { write: (line: string) => void lines.push(line) } });
      try {
        const base = { base: `http://127.0.0.1:${config.port}`, instance: logged.instance } as TestInstance;
        const logAdmin = await apiUser(base, "admin");
        await defineApi(base, logAdmin, "x_log", "t", [
          { name: "chatty", http_method: "GET", relative_path: "/", operation_script: "gs.info('headers', request.headers); gs.warn('careful'); for (let i = 0; i < 500; i++) gs.error('line', i); return 1" },
          { name: "broken", http_method: "GET", relative_path: "/broken", operation_script: "throw new Error('wrong turn')" },
        ]);
        assert.equal((await api(base, "GET", "/api/x_log/t", { token: logAdmin.token })).status, 200);
        assert.equal((await api(base, "GET", "/api/x_log/t/broken", { token: logAdmin.token })).status, 500);
        const entries = lines.map((l) => JSON.parse(l) as { level: number; msg: string; resource?: string; reason?: string });
        const scriptLines = entries.filter((e) => e.msg.startsWith("script: "));
        assert.ok(scriptLines.some((e) => e.level === 30 && e.resource === "chatty" && e.msg.includes('"accept":"application/json"')));
        assert.ok(scriptLines.some((e) => e.level === 40 && e.msg === "script: careful"));
        assert.equal(scriptLines.length, 100, "at most 100 lines per run");
        assert.ok(entries.some((e) => e.level === 50 && e.resource === "broken" && e.reason === "Error: wrong turn"));
        assert.ok(!lines.some((l) => l.includes(logAdmin.token)));
      } finally {
        await logged.close();
        await dispose();
      }
    });

    test("the script's error and stack reach the caller only with the debug flag", async () => {
      const debug = await startTestInstance(dialect, { scriptDebug: true });
      try {
        const debugAdmin = await apiUser(debug, "admin");
        await defineApi(debug, debugAdmin, "x_dbg", "t", [{ name: "boom", http_method: "GET", relative_path: "/", operation_script: "function inner() { throw new TypeError('kaboom'); }\ninner();" }]);
        const res = await api(debug, "GET", "/api/x_dbg/t", { token: debugAdmin.token });
        assert.equal(res.status, 500);
        assert.match(res.body.error.detail, /TypeError: kaboom/);
        assert.match(res.body.error.detail, /at inner \(sys_ws_operation\.[0-9a-f]{32}\.js:1:/);
      } finally {
        await debug.close();
      }
      assert.ok(ids.length > 0);
    });
  });
}
