import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, type ConfigInput, configFromEnvironment, loadConfig } from "../../src/config.ts";
import { translator } from "../../src/i18n/translator.ts";
import { openInstance } from "../../src/instance.ts";
import { startServer } from "../../src/server.ts";
import { checkBind } from "../../src/tls/bind-policy.ts";
import { readCaCertificates, trustingDispatcher } from "../../src/tls/trust.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

describe("TLS settings in the configuration", () => {
  test("the environment feeds every TLS setting; lists are comma-separated", () => {
    const config = loadConfig(
      configFromEnvironment({
        PORTCULLIS_HTTPS: "true",
        PORTCULLIS_HOSTNAMES: "dev.portcullis.test, 192.0.2.7",
        PORTCULLIS_TRUST_PROXY: "10.0.0.1, 10.1.0.0/16",
        PORTCULLIS_INSECURE_BIND: "false",
      }),
    );
    assert.equal(config.https, true);
    assert.deepEqual(config.hostnames, ["dev.portcullis.test", "192.0.2.7"]);
    assert.deepEqual(config.trustProxy, ["10.0.0.1", "10.1.0.0/16"]);
    assert.equal(config.allowInsecureBind, false);
    assert.equal(loadConfig(configFromEnvironment({ PORTCULLIS_TRUST_PROXY: "true" })).trustProxy, true);
    assert.equal(loadConfig({}).trustProxy, false);
    const files = loadConfig(configFromEnvironment({ PORTCULLIS_TLS_CERT: "c.pem", PORTCULLIS_TLS_KEY: "k.pem" }));
    assert.equal(files.https, true, "a certificate means TLS");
    assert.equal(files.tlsCert, path.resolve("c.pem"));
  });

  test("the default public URL is https://localhost:PORT when serving TLS, http://HOST:PORT otherwise", () => {
    assert.equal(loadConfig({ port: 8443, https: true }).publicUrl, "https://localhost:8443");
    assert.equal(loadConfig({ port: 8443, https: true, host: "0.0.0.0" }).publicUrl, "https://localhost:8443");
    assert.equal(loadConfig({ port: 8080 }).publicUrl, "http://127.0.0.1:8080");
    assert.equal(loadConfig({ port: 8443, https: true, publicUrl: "https://portcullis.example/" }).publicUrl, "https://portcullis.example");
  });

  test("a bad value is a clear configuration error", async () => {
    assert.throws(() => loadConfig({ https: "maybe" as never }), ConfigError);
    assert.throws(() => loadConfig({ tlsKey: "k.pem" }), /--tls-cert and --tls-key/);
    assert.throws(() => loadConfig({ https: true, publicUrl: "http://localhost:8080" }), /serving TLS cannot be reached at http:\/\/localhost:8080/);
    assert.throws(() => loadConfig({ hostnames: ["https://dev.example:8443"] }), /--hostname \/ PORTCULLIS_HOSTNAMES "https:\/\/dev\.example:8443": must be a DNS name or an IP address/);
    assert.throws(() => loadConfig(configFromEnvironment({ PORTCULLIS_HOSTNAMES: "ok.example, not valid" })), /PORTCULLIS_HOSTNAMES "ok\.example, not valid": must be a DNS name/);
    // The flag or variable, the value given, and what it must be; not the schema library's wording.
    const refusals: [ConfigInput, string][] = [
      [{ port: "abc" }, 'invalid configuration: --port / PORTCULLIS_PORT "abc": must be a whole number'],
      [{ port: "99999" }, 'invalid configuration: --port / PORTCULLIS_PORT "99999": must be at most 65535'],
      [{ publicUrl: "notaurl" }, 'invalid configuration: --public-url / PORTCULLIS_PUBLIC_URL "notaurl": must be an http:// or https:// URL'],
      [{ workers: "abc" }, 'invalid configuration: --workers / PORTCULLIS_WORKERS "abc": must be a whole number'],
      [{ logLevel: "loud" as never }, 'invalid configuration: PORTCULLIS_LOG_LEVEL "loud": must be one of fatal, error, warn, info, debug, trace, silent'],
      [{ https: "maybe" as never }, 'invalid configuration: PORTCULLIS_HTTPS "maybe": must be true or false'],
      [{ dataDir: "" }, 'invalid configuration: --data / PORTCULLIS_DATA "": must not be empty'],
    ];
    for (const [input, message] of refusals) assert.throws(() => loadConfig(input), (error: Error) => error instanceof ConfigError && error.message === message, message);
    // PORTCULLIS_ADMIN_PASSWORD is checked where it is used: creating the first admin. Once that
    // admin exists it is ignored, and a short one left in the environment does not stop a restart.
    // A new instance refused for it leaves nothing behind: not even its data directory.
    const data = path.join(tempDir(), "new-instance");
    const config = (password: string) => loadConfig({ dataDir: data, logLevel: "silent", adminPassword: password });
    await assert.rejects(openInstance(config("short")), (error: Error) => error instanceof ConfigError && error.message === "invalid configuration: PORTCULLIS_ADMIN_PASSWORD: must be at least 8 characters");
    assert.equal(fs.existsSync(data), false, "the refused first start made the data directory");
    let created = "";
    const first = await openInstance(config(adminPassword), { onAdminCreated: (user) => void (created = user) });
    await first.store.close();
    assert.equal(created, "admin", "the refused start created no admin");
    const restarted = await openInstance(config("short"));
    await restarted.store.close();
    const korean = (() => {
      try {
        loadConfig({ port: "abc" });
      } catch (error) {
        return translator("ko").t((error as ConfigError).text!.key, (error as ConfigError).text!.values);
      }
    })();
    assert.equal(korean, '설정이 올바르지 않습니다: --port / PORTCULLIS_PORT "abc": 정수여야 합니다');
  });
});

describe("binding a non-loopback address without TLS is refused", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const newDir = () => {
    const dir = tempDir("portcullis-bind-");
    dirs.push(dir);
    return dir;
  };

  test("loopback addresses need no TLS", () => {
    for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]) assert.deepEqual(checkBind(loadConfig({ host })), {}, host);
  });

  test("0.0.0.0, :: and a LAN address over plain HTTP are refused with the ways out named", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "portcullis.example"]) {
      assert.throws(
        () => checkBind(loadConfig({ host })),
        (error: Error) => error instanceof ConfigError && error.message.includes(`refusing to serve plain HTTP on ${host}`) && /--https/.test(error.message) && /--public-url https:/.test(error.message) && /--insecure-bind/.test(error.message),
        host,
      );
    }
  });

  test("TLS here, or an https public URL declaring a TLS proxy in front, makes the bind acceptable", () => {
    assert.deepEqual(checkBind(loadConfig({ host: "0.0.0.0", https: true })), {});
    assert.deepEqual(checkBind(loadConfig({ host: "0.0.0.0", publicUrl: "https://portcullis.example", trustProxy: ["10.0.0.1"] })), {});
    assert.throws(() => checkBind(loadConfig({ host: "0.0.0.0", publicUrl: "http://portcullis.example" })), ConfigError);
  });

  test("the start refuses before opening anything", async () => {
    const data = newDir();
    await assert.rejects(startServer(loadConfig({ dataDir: data, host: "0.0.0.0", port: await freePort() }), { logger: false, print: () => {} }), ConfigError);
    assert.deepEqual(fs.readdirSync(data), []);
  });

  test("--insecure-bind overrides the refusal with a loud warning", async () => {
    const lines: string[] = [];
    const port = await freePort();
    const server = await startServer(loadConfig({ dataDir: newDir(), host: "0.0.0.0", port, adminPassword, allowInsecureBind: true }), { logger: false, print: (l) => void lines.push(l) });
    try {
      assert.match(lines[0] ?? "", /^WARNING: serving plain HTTP on 0\.0\.0\.0, reachable from other machines \(--insecure-bind\)/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test("0.0.0.0 with --https serves TLS on every address", async () => {
    const data = newDir();
    const port = await freePort();
    const server = await startServer(loadConfig({ dataDir: data, host: "0.0.0.0", port, adminPassword, https: true }), { logger: false, print: () => {} });
    try {
      const ca = readCaCertificates(path.join(data, "tls", "ca.pem"));
      const res = await fetch(`https://127.0.0.1:${port}/.well-known/oauth-authorization-server`, { dispatcher: trustingDispatcher(ca) } as RequestInit);
      assert.equal((await res.json()).issuer, `https://localhost:${port}`);
    } finally {
      await server.close();
    }
  });
});

interface Run {
  code: number | null;
  stderr: string;
}

function cli(args: string[], untilLine?: RegExp, whenReady?: (stderr: string) => Promise<void>): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "silent" };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", entry, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let ready = false;
    child.stderr.on("data", (d) => {
      stderr += d;
      if (untilLine && !ready && untilLine.test(stderr)) {
        ready = true;
        // What went wrong while it ran is told with its output, not swallowed.
        void (whenReady ?? (async () => {}))(stderr)
          .catch((error: Error) => void (stderr += `\n[test] ${error.stack ?? error.message}${error.cause ? ` (cause: ${String(error.cause)})` : ""}\n`))
          .finally(() => child.kill("SIGTERM"));
      }
    });
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("portcullis start (CLI)", () => {
  const data = tempDir("portcullis-bind-cli-");
  after(() => fs.rmSync(data, { recursive: true, force: true }));

  test("--host 0.0.0.0 without TLS exits non-zero with the reason", async () => {
    const run = await cli(["start", "--data", data, "--host", "0.0.0.0", "--port", String(await freePort())]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /refusing to serve plain HTTP on 0\.0\.0\.0/);
  });

  test("--https --hostname serves TLS and prints the CA and the https URLs", async () => {
    const port = await freePort();
    let status = 0;
    const run = await cli(["start", "--data", data, "--https", "--port", String(port), "--hostname", "dev.portcullis.test", "--trust-proxy", "10.0.0.1"], /Metadata: /, async () => {
      const ca = readCaCertificates(path.join(data, "tls", "ca.pem"));
      status = (await fetch(`https://localhost:${port}/`, { dispatcher: trustingDispatcher(ca) } as RequestInit)).status;
    });
    assert.equal(status, 200, run.stderr);
    assert.match(run.stderr, new RegExp(`Development CA: .*ca\\.pem`));
    assert.match(run.stderr, /SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    assert.match(run.stderr, new RegExp(`Metadata: https://localhost:${port}/\\.well-known/oauth-authorization-server`));
    const cert = new (await import("node:crypto")).X509Certificate(fs.readFileSync(path.join(data, "tls", "server.pem")));
    assert.equal(cert.checkHost("dev.portcullis.test"), "dev.portcullis.test");
  });

  test("--https --workers 2 prints the development CA once, from the primary, and every worker serves with it", async () => {
    const fresh = tempDir("portcullis-bind-workers-");
    try {
      const statuses: number[] = [];
      // Port 0, read back from the Metadata line: a port picked here stayed free through the whole
      // start (store, CA, two workers) for another test's connection to take; the primary's pick waits only for its workers.
      const run = await cli(["start", "--data", fresh, "--https", "--workers", "2", "--port", "0"], /Metadata: .*\n/, async (stderr) => {
        const port = Number(/Metadata: https:\/\/localhost:(\d+)\//.exec(stderr)?.[1]);
        const ca = readCaCertificates(path.join(fresh, "tls", "ca.pem"));
        for (let i = 0; i < 4; i++) statuses.push((await fetch(`https://localhost:${port}/`, { dispatcher: trustingDispatcher(ca), headers: { connection: "close" } } as RequestInit)).status);
      });
      assert.deepEqual(statuses, [200, 200, 200, 200], run.stderr);
      assert.equal(run.stderr.match(/Development CA: .*ca\.pem/g)?.length, 1, run.stderr);
      assert.match(run.stderr, /SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
      assert.match(run.stderr, /with 2 workers/);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe("the bind refusal and the TLS start-up lines in the reader's language", () => {
  const data = tempDir("portcullis-bind-ko-");
  after(() => fs.rmSync(data, { recursive: true, force: true }));

  test("portcullis --lang ko start refuses a plain-HTTP non-loopback bind in Korean", async () => {
    const run = await cli(["--lang", "ko", "start", "--data", data, "--host", "0.0.0.0", "--port", String(await freePort())]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /0\.0\.0\.0에서는 암호화되지 않은 HTTP로 제공하지 않습니다/);
    assert.doesNotMatch(run.stderr, /refusing to serve/);
  });

  test("configuration errors are worded in the reader's language too", async () => {
    const run = await cli(["--lang", "ko", "start", "--data", data, "--tls-key", "k.pem"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /설정이 올바르지 않습니다: --tls-cert와 --tls-key/);
  });

  test("portcullis --lang ko start --https prints the development CA in Korean", async () => {
    const run = await cli(["--lang", "ko", "start", "--data", data, "--https", "--port", String(await freePort())], /메타데이터: /);
    assert.match(run.stderr, /이 인스턴스의 개발용 인증 기관\(CA\)을 만들었습니다/);
    assert.match(run.stderr, /개발용 CA: .*ca\.pem/);
    assert.match(run.stderr, /SHA-256 지문 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  });
});
