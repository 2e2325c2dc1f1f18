import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { sqliteFile } from "../../src/store/database.ts";
import { runCli } from "../support/in-process-cli.ts";
import { tempDir } from "../support/stores.ts";

const names = ["production", "development", "test"];

/** The URL the demo lists each instance at, by name. */
const listed = (stdout: string): Record<string, string> => Object.fromEntries(names.map((name) => [name, stdout.match(new RegExp(`^${name}\\s+(http://\\S+)`, "m"))?.[1] ?? ""]));

/**
 * The instance's database as a version from before the public URL check left it: no
 * instance_setting (migration 019 not applied), only the URLs it served (016's served_public_url).
 */
function asBeforeThePublicURLCheck(dataDir: string): void {
  const db = new SQLite(sqliteFile(dataDir));
  try {
    db.exec("drop table instance_setting; delete from portcullis_migration where name = '019-instance-setting'");
  } finally {
    db.close();
  }
}

function recordedPublicURL(dataDir: string): string {
  const db = new SQLite(sqliteFile(dataDir), { readonly: true });
  try {
    return (db.prepare("select value from instance_setting where name = 'public_url'").get() as { value: string }).value;
  } finally {
    db.close();
  }
}

describe("pipeline demo run again on its --dir, without --port", () => {
  const dir = tempDir();
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("each instance, made before the public URL was recorded, serves the URL it last served, not a new port's, and pipeline up signs in again and changes nothing", async () => {
    const first = await runCli(["pipeline", "demo", "--dir", dir], {});
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const urls = listed(first.stdout);
    for (const name of names) asBeforeThePublicURLCheck(path.join(dir, name));

    const again = await runCli(["pipeline", "demo", "--dir", dir], {});
    assert.deepEqual(listed(again.stdout), urls, again.stdout + again.stderr);
    // Signed in with this run's admin passwords; the records of the run before still hold.
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^Nothing changed/m);
    assert.doesNotMatch(again.stdout, /broken/);
    for (const name of names) assert.equal(recordedPublicURL(path.join(dir, name)), urls[name], `${name} was not moved to another URL`);
  });

  test("a recorded port another process holds: that instance takes a free one, as on a first run, and the others keep theirs", async () => {
    const held = path.join(dir, "held");
    const first = await runCli(["pipeline", "demo", "--dir", held], {});
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const urls = listed(first.stdout);
    const holder = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: Number(new URL(urls.production!).port) }, resolve));
    try {
      const again = await runCli(["pipeline", "demo", "--dir", held], {});
      const now = listed(again.stdout);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(now.production!, /^http:\/\/127\.0\.0\.1:\d+$/, again.stdout + again.stderr);
      assert.notEqual(now.production, urls.production);
      assert.deepEqual([now.development, now.test], [urls.development, urls.test]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  test("an instance of the kept --dir that refuses the admin's sign-in is named in words, not as a message key", async () => {
    const refused = path.join(dir, "refused");
    const first = await runCli(["pipeline", "demo", "--dir", refused], {});
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const db = new SQLite(sqliteFile(path.join(refused, "development")));
    try {
      db.prepare("update sys_user set active = 0 where user_name = 'admin'").run();
    } finally {
      db.close();
    }
    const again = await runCli(["pipeline", "demo", "--dir", refused], {});
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /development \(http:\/\/127\.0\.0\.1:\d+\) refused the admin sign-in as admin/, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout + again.stderr, /trust\.access\./);
  });
});
