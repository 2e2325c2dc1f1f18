import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { pngBytes } from "../attachments/attachment-support.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { registerClient } from "../support/oauth.ts";
import { tempDir } from "../support/stores.ts";

const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../../README.md"), "utf8");

/** The sh block that follows `marker` in the README. */
function block(marker: string): string {
  const start = readme.indexOf(marker);
  assert.ok(start >= 0, `README has ${marker}`);
  const open = readme.indexOf("```sh\n", start);
  return readme.slice(open + "```sh\n".length, readme.indexOf("```", open + 6));
}

const tools = ["bash", "curl", "jq"].filter((tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0);
if (tools.length > 0 && process.env.CI) throw new Error(`CI must install ${tools.join(", ")}; .ci/run does it with apt-get`);
const skip = tools.length > 0 ? `${tools.join(", ")} not installed` : false;

/** The README's curl recipe for the https instance, run as written (only the port differs). */
describe("the README's curl recipe against an https instance", { skip }, () => {
  let server: RunningServer;
  let dir: string;
  let port: number;
  before(async () => {
    dir = tempDir("portcullis-readme-");
    port = await freePort();
    // The recipe names data/tls/ca.pem relative to where the instance was started.
    server = await startServer(loadConfig({ dataDir: path.join(dir, "data"), port, adminPassword, https: true, logLevel: "silent" }), { logger: false, print: () => {} });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("token with the client in Basic, query, create, raw and multipart upload, download under the file's own name", async () => {
    const client = await registerClient(server.instance, { grant_types: ["password", "refresh_token"] });
    fs.writeFileSync(path.join(dir, "invoice.pdf"), "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
    fs.writeFileSync(path.join(dir, "photo.jpg"), pngBytes());
    const script = `set -euo pipefail\n${block("**curl**:").replaceAll("localhost:8080", `localhost:${port}`)}\necho "ATT_ID=$ATT_ID"\n`;
    const env = { PATH: process.env.PATH, CLIENT_ID: client.clientId, CLIENT_SECRET: client.secret, PASSWORD: adminPassword };
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("bash", ["-c", script], { cwd: dir, env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout}`);
    assert.match(run.stdout, /HTTP\/1\.1 200/);
    assert.match(run.stdout, /x-total-count: \d+/i);
    assert.match(run.stdout, /ATT_ID=[0-9a-f]{32}/);
    // The multipart upload's answer: a JPEG name over PNG bytes is stored as what the bytes are.
    assert.match(run.stdout, /"content_type":"image\/png"/);
    assert.deepEqual(fs.readFileSync(path.join(dir, "downloads", "invoice.pdf")), fs.readFileSync(path.join(dir, "invoice.pdf")));
    const attachments = await server.instance.store.db.selectFrom("sys_attachment").select(["file_name", "content_type"]).orderBy("file_name").execute();
    assert.deepEqual(attachments, [
      { file_name: "invoice.pdf", content_type: "application/pdf" },
      { file_name: "photo.jpg", content_type: "image/png" },
    ]);
  });
});
