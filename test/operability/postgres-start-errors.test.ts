import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, testSecretKey } from "../support/instance.ts";
import { runCli } from "../support/in-process-cli.ts";
import { PasswordAskingPostgres } from "../support/password-asking-postgres.ts";
import { tempDir } from "../support/stores.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { operatorCertificate } from "../support/tls.ts";
import { TlsPostgres } from "../support/tls-postgres.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

/** The CLI in its own process, killed past `deadlineMs`: a process that does not end is what is under test. */
function cli(args: string[], databaseUrl: string, deadlineMs = 20_000): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PORTCULLIS_SECRET_KEY: testSecretKey, PORTCULLIS_ADMIN_PASSWORD: "an admin password", PORTCULLIS_LOG_LEVEL: "warn" };
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const deadline = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

/** `client list` in this process, as it reads DATABASE_URL: the message, not the process, is under test. */
function listClients(databaseUrl: string, extra: NodeJS.ProcessEnv = {}, args: string[] = []): ReturnType<typeof runCli> {
  return runCli(["client", "list", ...args], { DATABASE_URL: databaseUrl, PORTCULLIS_SECRET_KEY: testSecretKey, ...extra });
}

describe("a PostgreSQL server start cannot use", () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("one that asks for a password DATABASE_URL does not give: start and client list end at once, the connection closed, not held until the server gives up", async () => {
    const server = new PasswordAskingPostgres();
    const port = await server.start();
    try {
      const url = `postgres://portcullis@127.0.0.1:${port}/portcullis`;
      const data = tempDir();
      dirs.push(data);
      for (const args of [["client", "list"], ["start", "--data", data, "--port", String(await freePort())]]) {
        const run = await cli(args, url);
        assert.equal(run.code, 1, `${args[0]}: ${run.stderr} (after ${run.ms} ms)`);
        assert.equal(server.open, 0, "every connection was closed by the client");
      }
    } finally {
      await server.stop();
    }
  });

  test("each is named with the setting to change, not in pg's words (ECONNREFUSED, client password must be a string)", async () => {
    const port = await freePort();
    const refused = await listClients(`postgres://nobody:hunter22@127.0.0.1:${port}/none`);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `portcullis: cannot use the PostgreSQL database at postgres://nobody:***@127.0.0.1:${port}/none: nothing accepts connections at 127.0.0.1:${port}. Start PostgreSQL there, or correct the host and port in DATABASE_URL.\n`);

    const asking = new PasswordAskingPostgres();
    const askingPort = await asking.start();
    try {
      const run = await listClients(`postgres://portcullis@127.0.0.1:${askingPort}/portcullis`);
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`the server asks user portcullis for a password, and DATABASE_URL gives none\\. Put it in the URL, postgres://portcullis:PASSWORD@127\\.0\\.0\\.1:${askingPort}/portcullis`));
      // The same URL would be refused again: it is said once, not after seven more tries.
      assert.equal(asking.accepted, 1);
      const korean = await listClients(`postgres://portcullis@127.0.0.1:${askingPort}/portcullis`, {}, ["--lang", "ko"]);
      assert.match(korean.stderr, /DATABASE_URL에 비밀번호가 없습니다/);
    } finally {
      await asking.stop();
    }

    // Accepted and never answered, as a frozen server or a dropped network.
    const silent = new TcpProxy("127.0.0.1", 9);
    const silentPort = await silent.start();
    silent.freeze();
    try {
      const run = await listClients(`postgres://nobody:pw@127.0.0.1:${silentPort}/none`, { PORTCULLIS_DB_TIMEOUT_MS: "300" });
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`127\\.0\\.0\\.1:${silentPort} did not answer within PORTCULLIS_DB_TIMEOUT_MS\\. Check that PostgreSQL runs there`));
    } finally {
      await silent.stop();
    }
  });

  test("a server whose TLS certificate pg does not trust (sslmode=require is verify-full to pg) is named with sslrootcert, and said once", async () => {
    const files = tempDir();
    dirs.push(files);
    const certificate = await operatorCertificate(files, { names: ["db.portcullis.test"] });
    const caFile = path.join(files, "ca.pem");
    fs.writeFileSync(caFile, certificate.caPem);
    const server = new TlsPostgres({ key: certificate.pair.privateKey, cert: certificate.pair.certificate });
    const port = await server.start();
    try {
      // Its CA not given; then given, with the certificate naming another host than DATABASE_URL's.
      for (const [query, cause] of [["sslmode=require", /unable to verify the first certificate/], [`sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`, /Hostname\/IP does not match certificate's altnames/]] as const) {
        const before = server.accepted;
        const run = await listClients(`postgres://portcullis:pw@127.0.0.1:${port}/portcullis?${query}`);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /: the server's TLS certificate is not trusted \((.+)\)\. Give the CA that issued it with sslrootcert=\/path\/to\/ca\.pem in DATABASE_URL/);
        assert.match(/is not trusted \((.+)\)/.exec(run.stderr)![1]!, cause);
        assert.equal(server.accepted - before, 1, "not tried again");
      }
    } finally {
      await server.stop();
    }
  });

  test("a password holding a character a URL reserves (#, @, /) is refused as a setting, saying to percent-encode it, without echoing it", async () => {
    const run = await listClients("postgres://portcullis:hunter#22@127.0.0.1:5432/portcullis");
    assert.equal(run.code, 2);
    assert.match(run.stderr, /DATABASE_URL: must be a postgres:\/\/user:password@host:port\/database URL; in the user name and password, percent-encode @ : \/ # \? and % \(# as %23, @ as %40\)/);
    assert.doesNotMatch(run.stderr, /hunter/);
  });

  const databaseUrl = process.env.DATABASE_URL;
  test("a database the server does not have is named with the createdb that makes it", { skip: !databaseUrl && "needs DATABASE_URL: a real PostgreSQL server" }, async () => {
    const url = new URL(databaseUrl!);
    url.pathname = "/portcullis_never_created";
    const run = await listClients(url.toString());
    assert.equal(run.code, 1);
    const user = decodeURIComponent(url.username) || "USER";
    assert.match(run.stderr, new RegExp(`the server has no database portcullis_never_created\\. Create it \\(createdb -O ${user} portcullis_never_created\\), or correct the database name in DATABASE_URL\\.`));
  });

  test("a URL that names no user, where the environment gives none either, is named with the user to put in it", { skip: !databaseUrl && "needs DATABASE_URL: a real PostgreSQL server" }, async () => {
    const url = new URL(databaseUrl!);
    url.username = "";
    url.password = "";
    // pg takes USER when the URL names no user, as libpq takes the system user.
    const user = process.env.USER;
    delete process.env.USER;
    try {
      const run = await listClients(url.toString());
      assert.equal(run.code, 1);
      assert.match(run.stderr, /DATABASE_URL names no user, and the environment gives none \(USER\)\. Put one in the URL: postgres:\/\/USER:PASSWORD@/);
    } finally {
      if (user !== undefined) process.env.USER = user;
    }
  });
});
