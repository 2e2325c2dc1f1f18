import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { configFromEnvironment, loadConfig } from "../../src/config.ts";
import { openPostgres } from "../../src/store/database.ts";
import { freePort, testSecretKey } from "../support/instance.ts";
import { basic, http, postForm } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";
import { childPids } from "../support/child-pids.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");
const env = (): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: "an admin password", PORTCULLIS_LOG_LEVEL: "warn" };
  delete e.DATABASE_URL;
  return e;
};

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env: { ...env(), ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface Serving {
  child: ChildProcess;
  base: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** `portcullis start` in its own process, resolved once it prints its metadata URL; on a port free now unless `extra` names one. */
async function start(data: string, extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<Serving> {
  const port = extra.includes("--port") ? undefined : await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", data, ...(port === undefined ? [] : ["--port", String(port)]), ...extra], { env: { ...env(), ...extraEnv }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (stderr.includes("Metadata:")) resolve();
    });
    void exited.then((code) => reject(new Error(`start exited (${code}):\n${stderr}`)));
  });
  return { child, base: port === undefined ? new URL(printedMetadataUrl(stderr)).origin : `http://127.0.0.1:${port}`, stderr: () => stderr, exited };
}

function printedMetadataUrl(stderr: string): string {
  const told = /^Metadata: (\S+)$/m.exec(stderr);
  assert.ok(told, stderr);
  return told[1]!;
}

async function createServiceClient(data: string): Promise<{ clientId: string; secret: string }> {
  const run = await cli(["client", "create", "--data", data, "--name", `svc ${Math.random()}`, "--grant-types", "client_credentials", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const record = JSON.parse(run.stdout);
  return { clientId: record.client_id, secret: record.client_secret };
}

describe("portcullis start", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test("SIGTERM the moment the Metadata line is printed drains and exits 0, as a supervisor that signals on that line expects", async () => {
    const data = tempDir();
    dirs.push(data);
    for (let round = 0; round < 3; round++) {
      const server = await start(path.join(data, `round-${round}`));
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0, server.stderr());
      assert.match(server.stderr(), /Stopping: finishing requests in flight/);
    }
  });

  test("a token handed out survives kill -9 of the server", async () => {
    const data = tempDir();
    dirs.push(data);
    const client = await createServiceClient(data);
    // Restarted on another port: the public URL, the instance's, stays (src/public-url-check.ts).
    const publicUrl = ["--public-url", "https://auth.example.test"];
    const first = await start(data, publicUrl);
    const issued = await postForm(`${first.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
    assert.equal(issued.status, 200);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await start(data, publicUrl);
    try {
      const who = await http(`${second.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${issued.body.access_token}` } });
      assert.equal(who.status, 200);
      assert.equal(who.body.result.client_id, client.clientId);
    } finally {
      second.child.kill("SIGTERM");
      assert.equal(await second.exited, 0);
    }
  });

  test("--workers 2 serves one port from two processes over one SQLite file, replaces a dead worker, and stops cleanly", async () => {
    const data = tempDir();
    dirs.push(data);
    const client = await createServiceClient(data);
    const server = await start(data, ["--workers", "2"]);
    try {
      assert.match(server.stderr(), /with 2 workers/);
      assert.equal(server.stderr().match(/Metadata:/g)?.length, 1, "the start-up lines are printed once, by the primary");
      const workers = childPids(server.child.pid!);
      if (workers) assert.equal(workers.length, 2);

      const answers = await Promise.all(
        Array.from({ length: 30 }, () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) })),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.equal(new Set(answers.map((a) => a.body.access_token)).size, 30);
      // Whichever worker takes a scrape, /metrics counts the whole cluster's requests.
      for (let i = 0; i < 4; i++) {
        const scraped = await http(`${server.base}/metrics`, { headers: { connection: "close", accept: "text/plain" } });
        assert.equal(scraped.status, 200);
        assert.match(scraped.text, /^portcullis_http_requests_total\{route="\/oauth_token.do",method="POST",status="200"\} 30$/m);
        assert.match(scraped.text, /^portcullis_oauth_token_requests_succeeded_total\{grant_type="client_credentials"\} 30$/m);
      }
      // A token one worker issued is good at whichever worker answers next.
      for (const a of answers.slice(0, 6)) {
        const who = await http(`${server.base}/api/now/v1/whoami`, { headers: { authorization: `Bearer ${a.body.access_token}`, connection: "close" } });
        assert.equal(who.status, 200);
      }

      if (workers) {
        process.kill(workers[0]!, "SIGKILL");
        const deadline = Date.now() + 30_000;
        while (!/starting another/.test(server.stderr()) || childPids(server.child.pid!)!.length < 2) {
          assert.ok(Date.now() < deadline, `no replacement worker:\n${server.stderr()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        // Scrapes once the primary replaced a dead worker (the new one perhaps still starting): answered by those serving, and the primary lives on.
        for (let i = 0; i < 3; i++) {
          const started = Date.now();
          const scraped = await http(`${server.base}/metrics`, { headers: { connection: "close", accept: "text/plain" } });
          assert.equal(scraped.status, 200, scraped.text);
          assert.ok(Date.now() - started < 3500, "not held for a worker that cannot answer");
        }
        const after = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) });
        assert.equal(after.status, 200);
      }
      // SIGTERM drains the workers as it does one process: /ready says 503 while requests are still served.
      server.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      const ready = await http(`${server.base}/ready`, { headers: { connection: "close" } });
      assert.equal(ready.status, 503);
      const during = await postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret), connection: "close" });
      assert.equal(during.status, 200);
    } finally {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);
    }
    const left = childPids(server.child.pid!);
    if (left) assert.equal(left.length, 0);
  });

  test("--management-port serves the whole cluster's /metrics and the probes on a port of their own; the public port answers 404 to /metrics", async () => {
    const data = tempDir();
    dirs.push(data);
    const client = await createServiceClient(data);
    const managementPort = await freePort();
    const server = await start(data, ["--workers", "2", "--management-port", String(managementPort)]);
    const management = `http://127.0.0.1:${managementPort}`;
    try {
      assert.match(server.stderr(), new RegExp(`Management \\(/metrics, /health, /ready\\): http://127\\.0\\.0\\.1:${managementPort}`));
      const answers = await Promise.all(Array.from({ length: 6 }, () => postForm(`${server.base}/oauth_token.do`, { grant_type: "client_credentials" }, { authorization: basic(client.clientId, client.secret) })));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      for (let i = 0; i < 3; i++) {
        const scraped = await http(`${management}/metrics`, { headers: { connection: "close" } });
        assert.equal(scraped.status, 200);
        assert.match(scraped.text, /^portcullis_oauth_token_requests_succeeded_total\{grant_type="client_credentials"\} 6$/m, "whichever worker took the scrape, the cluster's sum");
      }
      assert.equal((await http(`${server.base}/metrics`, { headers: { connection: "close" } })).status, 404);
      assert.equal((await http(`${management}/ready`, { headers: { connection: "close" } })).status, 200);
    } finally {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);
    }
  });

  describe("--port 0 without --public-url: the issuer names the port the system gave", () => {
    for (const workers of [[], ["--workers", "2"]]) {
      test(`the Metadata URL printed answers, with that URL's origin as its issuer${workers.length ? " (--workers 2: every worker says the same)" : ""}`, async () => {
        const data = tempDir();
        dirs.push(data);
        const server = await start(data, ["--port", "0", ...workers]);
        try {
          const metadataUrl = printedMetadataUrl(server.stderr());
          const { origin, port, pathname } = new URL(metadataUrl);
          assert.notEqual(port, "0", server.stderr());
          assert.equal(pathname, "/.well-known/oauth-authorization-server");
          // The pid is the process to signal: under --workers, the primary, the one started.
          assert.match(server.stderr(), new RegExp(`^Listening on 127\\.0\\.0\\.1:${port}; issuer ${origin}; pid ${server.child.pid}$`, "m"));
          for (let i = 0; i < (workers.length ? 4 : 1); i++) {
            const metadata = await http(metadataUrl, { headers: { connection: "close" } });
            assert.equal(metadata.status, 200);
            assert.equal(metadata.body.issuer, origin);
            assert.equal(metadata.body.token_endpoint, `${origin}/oauth_token.do`);
          }
        } finally {
          server.child.kill("SIGTERM");
          assert.equal(await server.exited, 0);
        }
      });
    }

    test("started again on --port 0 (--workers 2), it serves under the new port's URL: one no one could name in advance moves the instance to it", async () => {
      const data = tempDir();
      dirs.push(data);
      const origins: string[] = [];
      for (let run = 0; run < 2; run++) {
        const server = await start(data, ["--port", "0", "--workers", "2"]);
        try {
          const { origin } = new URL(printedMetadataUrl(server.stderr()));
          origins.push(origin);
          if (run === 1) assert.match(server.stderr(), new RegExp(`public URL moved from ${origins[0]} to ${origin}`));
          for (let i = 0; i < 3; i++) assert.equal((await http(`${origin}/.well-known/oauth-authorization-server`, { headers: { connection: "close" } })).body.issuer, origin);
        } finally {
          server.child.kill("SIGTERM");
          assert.equal(await server.exited, 0);
        }
      }
      assert.notEqual(origins[0], origins[1]);
    });

    test("a public URL given is kept as given", async () => {
      const data = tempDir();
      dirs.push(data);
      const server = await start(data, ["--port", "0", "--public-url", "https://auth.example.test/"]);
      try {
        assert.equal(printedMetadataUrl(server.stderr()), "https://auth.example.test/.well-known/oauth-authorization-server");
        const listening = /^Listening on 127\.0\.0\.1:(\d+); issuer https:\/\/auth\.example\.test; pid (\d+)$/m.exec(server.stderr());
        assert.ok(listening, server.stderr());
        assert.notEqual(listening[1], "0");
        assert.equal(Number(listening[2]), server.child.pid);
        const metadata = await http(`http://127.0.0.1:${listening[1]}/.well-known/oauth-authorization-server`);
        assert.equal(metadata.body.issuer, "https://auth.example.test");
      } finally {
        server.child.kill("SIGTERM");
        assert.equal(await server.exited, 0);
      }
    });
  });

  test("--workers 2 --management-port 0 tells the port the workers share, and warns once that a management host other machines reach gets plain HTTP", async () => {
    const data = tempDir();
    dirs.push(data);
    const server = await start(data, ["--workers", "2", "--management-port", "0"], { PORTCULLIS_MANAGEMENT_HOST: "0.0.0.0" });
    try {
      const told = /Management \(\/metrics, \/health, \/ready\): http:\/\/0\.0\.0\.0:(\d+)\n/.exec(server.stderr());
      assert.ok(told, server.stderr());
      assert.notEqual(told[1], "0", "the port the system gave, not the 0 asked for");
      for (let i = 0; i < 3; i++) assert.equal((await http(`http://127.0.0.1:${told[1]}/ready`, { headers: { connection: "close" } })).status, 200);
      assert.equal(server.stderr().match(/WARNING: the management port serves \/metrics over plain HTTP on 0\.0\.0\.0/g)?.length, 1, "said once, by the primary");
    } finally {
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);
    }
  });

  test("--workers 2: a management port another process takes after the start checked it stops the start with the reason, instead of replacing workers in a loop", async () => {
    const data = tempDir();
    dirs.push(data);
    const managementPort = await freePort();
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", data, "--port", String(port), "--workers", "2", "--management-port", String(managementPort)], { env: env(), stdio: ["ignore", "ignore", "pipe"] });
    const holder = net.createServer();
    let stderr = "";
    let taken: Promise<void> | undefined;
    child.stderr.on("data", (d) => {
      stderr += d;
      // The primary has checked both ports and opened the instance; its workers have not listened yet.
      if (!taken && stderr.includes("Created user")) taken = new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: managementPort }, resolve));
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    try {
      const code = await exited;
      assert.ok(taken, stderr);
      assert.equal(code, 2, stderr);
      assert.equal(stderr.match(new RegExp(`portcullis: port ${managementPort} on 127\\.0\\.0\\.1 is already in use.*--management-port \\(or PORTCULLIS_MANAGEMENT_PORT\\)`, "g"))?.length, 1, stderr);
      assert.doesNotMatch(stderr, /Nothing was created/, "the instance was opened by then");
      assert.doesNotMatch(stderr, /starting another|Metadata:/);
      const left = childPids(child.pid!);
      if (left) assert.equal(left.length, 0);
    } finally {
      clearTimeout(timer);
      await taken;
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  test("a port already in use is refused before anything is created, in one process or a cluster", async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port }, resolve));
    try {
      for (const extra of [[], ["--workers", "2"]]) {
        const data = path.join(tempDir(), "instance");
        dirs.push(path.dirname(data));
        const run = await cli(["start", "--data", data, "--port", String(port), ...extra]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port.*Nothing was created`));
        assert.doesNotMatch(run.stderr, /Created user|password/);
        assert.equal(fs.existsSync(data), false, "no data directory, no admin whose password was shown and lost");
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  test("on PostgreSQL without a secret key, start refuses before it touches the database or creates an admin, in the reader's language", async () => {
    const data = path.join(tempDir(), "instance");
    dirs.push(path.dirname(data));
    // Nothing listens there: the refusal must come before any connection is tried.
    const databaseUrl = `postgres://nobody@127.0.0.1:${await freePort()}/none`;
    for (const [lang, words] of [["en", /no secret key: with PostgreSQL every node must use the same one/], ["ko", /비밀 키가 없습니다/]] as const) {
      const run = await cli(["start", "--data", data, "--port", String(await freePort()), "--lang", lang], { DATABASE_URL: databaseUrl, PORTCULLIS_SECRET_KEY: "" });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, words);
      assert.doesNotMatch(run.stderr, /Created user|ECONNREFUSED|migration/);
    }
    // With a key, a database that cannot be reached is named (its password masked), and nothing is created.
    const unreachable = `postgres://nobody:hunter22@127.0.0.1:${await freePort()}/none`;
    const run = await cli(["start", "--data", data, "--port", String(await freePort())], { DATABASE_URL: unreachable, PORTCULLIS_SECRET_KEY: testSecretKey });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cannot use the PostgreSQL database at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:\d+\/none: nothing accepts connections at 127\.0\.0\.1:\d+\. Start PostgreSQL there/);
    assert.doesNotMatch(run.stderr, /hunter22|Created user/);
  });

  test("trust-proxy addresses and the metrics switch are checked at once, saying what is expected", () => {
    for (const bad of ["garbage", "10.0.0.0/33", "10.0.0.1/8/1", "::1/129", "0.0.0.0/0", "::/0"]) {
      assert.throws(() => loadConfig({ trustProxy: bad }), /must be true, false, or the proxies' addresses \(IPs or CIDRs/, bad);
    }
    assert.deepEqual(loadConfig({ trustProxy: "10.0.0.1, 10.0.0.0/8,loopback,::1/128,10.0.0.0/255.0.0.0" }).trustProxy, ["10.0.0.1", "10.0.0.0/8", "loopback", "::1/128", "10.0.0.0/255.0.0.0"]);
    assert.equal(loadConfig({ trustProxy: "true" }).trustProxy, true);
    assert.throws(() => loadConfig({ metrics: "maybe" as "on" }), /must be on or off \(or true or false\)/);
    assert.equal(loadConfig({ metrics: "off" }).metrics, false);
    // DATABASE_URL too, at once and without echoing it (it may hold a password).
    assert.throws(() => loadConfig({ databaseUrl: "mysql://root:hunter2@db/x" }), (error: Error) => /DATABASE_URL: must be a postgres:\/\/user:password@host:port\/database URL/.test(error.message) && !error.message.includes("hunter2"));
    assert.equal(loadConfig({ databaseUrl: "" }).databaseUrl, "");
  });

  test("PORTCULLIS_DB_POOL_SIZE sets the PostgreSQL pool each process keeps (10 unless said)", async () => {
    assert.equal(loadConfig({}).dbPoolSize, 10);
    assert.equal(loadConfig(configFromEnvironment({ PORTCULLIS_DB_POOL_SIZE: "25" })).dbPoolSize, 25);
    assert.throws(() => loadConfig({ dbPoolSize: "0" }), /PORTCULLIS_DB_POOL_SIZE/);
    const store = openPostgres(`postgres://nobody@127.0.0.1:${await freePort()}/none`, { poolSize: 3 });
    assert.equal((store as unknown as { pool: { options: { max: number } } }).pool.options.max, 3);
    await store.close();
    // A password given as a query parameter is masked where the URL is shown, as the userinfo one is.
    const shown = openPostgres(`postgres://nobody:hunter2@127.0.0.1:${await freePort()}/none?password=hunter3&sslmode=disable`);
    assert.doesNotMatch(shown.location, /hunter2|hunter3/);
    assert.match(shown.location, /sslmode=disable/);
    await shown.close();
  });

  test("PORTCULLIS_DB_TIMEOUT_MS bounds the wait for a PostgreSQL connection and for a query's answer (10 s unless said)", async () => {
    assert.equal(loadConfig({}).dbTimeoutMs, 10_000);
    assert.equal(loadConfig(configFromEnvironment({ PORTCULLIS_DB_TIMEOUT_MS: "2500" })).dbTimeoutMs, 2500);
    assert.throws(() => loadConfig({ dbTimeoutMs: "0" }), /PORTCULLIS_DB_TIMEOUT_MS/);
    const store = openPostgres(`postgres://nobody@127.0.0.1:${await freePort()}/none`, { timeoutMs: 2500 });
    const options = (store as unknown as { pool: { options: { connectionTimeoutMillis: number; statement_timeout: number; query_timeout: number } } }).pool.options;
    // The server stops a query at the limit; this side gives up on a silent server a second later.
    assert.deepEqual([options.connectionTimeoutMillis, options.statement_timeout, options.query_timeout], [2500, 2500, 3500]);
    await store.close();
  });

  test("workers, request logging and the sweep interval come from flags or PORTCULLIS_* variables", () => {
    const config = loadConfig({ workers: "4", requestLog: "false", tokenCleanupInterval: "60" });
    assert.equal(config.workers, 4);
    assert.equal(config.requestLog, false);
    assert.equal(config.tokenCleanupInterval, 60);
    assert.equal(loadConfig({}).workers, 1);
    assert.equal(loadConfig({}).requestLog, true);
    assert.throws(() => loadConfig({ workers: "0" }), /workers/);
  });
});
