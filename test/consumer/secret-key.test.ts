import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { keyFileName, loadSecretKey, secretBox } from "../../src/consumer/secret-box.ts";
import { startServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { dialectsUnderTest, tempDir } from "../support/stores.ts";

describe("the key that encrypts consumer secrets (AES-256-GCM)", () => {
  const box = secretBox(randomBytes(32));

  test("opens what it sealed, only under the same context; tampering is detected", () => {
    const sealed = box.seal("a provider secret", "provider-secret:a");
    assert.ok(!sealed.includes("a provider secret"));
    assert.notEqual(box.seal("a provider secret", "provider-secret:a"), sealed, "a fresh IV every time");
    assert.equal(box.open(sealed, "provider-secret:a"), "a provider secret");
    assert.throws(() => box.open(sealed, "provider-secret:b"));
    // The character replaced must really change (1 time in 64 it already was the replacement).
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === "A" ? "B" : "A"}${sealed.slice(-1)}`;
    assert.throws(() => box.open(flipped, "provider-secret:a"));
    assert.throws(() => secretBox(randomBytes(32)).open(sealed, "provider-secret:a"));
  });

  test("SQLite: a key file is created once, mode 0600, and reused", () => {
    const dir = tempDir();
    const config = loadConfig({ dataDir: dir });
    const first = loadSecretKey(config, "sqlite");
    assert.equal(fs.statSync(path.join(dir, keyFileName)).mode & 0o777, 0o600);
    assert.deepEqual(loadSecretKey(config, "sqlite"), first);
  });

  test("SQLite: processes starting together (--workers) on a new directory all read the one key made, never a file still being written", async () => {
    const secretBoxModule = new URL("../../src/consumer/secret-box.ts", import.meta.url).href;
    const configModule = new URL("../../src/config.ts", import.meta.url).href;
    // Each waits for the same instant, then loads the key: one makes it, the others read it. The
    // window the draft-and-link closes is microseconds wide, so this guards the agreement rather
    // than catching every lost race; the cluster's primary also makes the key before it forks.
    const program = `
      const { loadSecretKey } = await import(${JSON.stringify(secretBoxModule)});
      const { loadConfig } = await import(${JSON.stringify(configModule)});
      const at = Number(process.argv.at(-1));
      while (Date.now() < at);
      try { console.log(loadSecretKey(loadConfig({ dataDir: process.argv.at(-2) }), "sqlite").toString("hex")); }
      catch (error) { console.log("error: " + error.message); }`;
    for (let round = 0; round < 3; round++) {
      const dir = path.join(tempDir(), "data");
      const at = Date.now() + 1500;
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () => {
          const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program, dir, String(at)], { stdio: ["ignore", "pipe", "inherit"] });
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          return new Promise<string>((resolve) => child.on("close", () => resolve(out.trim())));
        }),
      );
      assert.equal(new Set(outputs).size, 1, `round ${round}: ${outputs.join(", ")}`);
      assert.match(outputs[0]!, /^[0-9a-f]{64}$/);
      assert.deepEqual(fs.readdirSync(dir), [keyFileName], "nothing else left in the directory");
    }
  });

  test("PORTCULLIS_SECRET_KEY in hex or base64 wins; a wrong length is a clear error", () => {
    const key = randomBytes(32);
    assert.deepEqual(loadSecretKey(loadConfig({ dataDir: tempDir(), secretKey: key.toString("hex") }), "postgres"), key);
    assert.deepEqual(loadSecretKey(loadConfig({ dataDir: tempDir(), secretKey: key.toString("base64") }), "postgres"), key);
    assert.throws(() => loadSecretKey(loadConfig({ dataDir: tempDir(), secretKey: "short" }), "sqlite"), /32 bytes/);
  });

  test("PostgreSQL: a node refuses to start without a shared key, and starts with a key file", async () => {
    const pg = dialectsUnderTest()[1]!;
    const { store, dispose } = await pg.open();
    const dir = tempDir();
    try {
      const config = loadConfig({ dataDir: dir, port: await freePort(), adminPassword, logLevel: "silent" });
      await assert.rejects(startServer(config, { store, logger: false, print: () => {} }), (error: Error) => error instanceof ConfigError && /same one/.test(error.message));
      assert.ok(!fs.existsSync(path.join(dir, keyFileName)), "no key was made up");
    } finally {
      await dispose();
    }
    fs.writeFileSync(path.join(dir, keyFileName), randomBytes(32).toString("base64"), { mode: 0o600 });
    const second = await pg.open();
    const server = await startServer(loadConfig({ dataDir: dir, port: await freePort(), adminPassword, logLevel: "silent" }), { store: second.store, logger: false, print: () => {} });
    await server.close();
    await second.dispose();
  });
});
