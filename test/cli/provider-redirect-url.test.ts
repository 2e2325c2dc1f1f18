import assert from "node:assert/strict";
import fs from "node:fs";
import { after, describe, test } from "node:test";
import { adminPassword } from "../support/instance.ts";
import { type NodeProcess, startNodeProcess } from "../support/node-process.ts";
import { tempDir } from "../support/stores.ts";
import { runCli } from "../support/in-process-cli.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_PROVIDER_CLIENT_SECRET: "a provider secret", ...env });

const create = (data: string, name: string, ...more: string[]) => ["provider", "create", "--data", data, "--name", name, "--client-id", `client for ${name}`, "--token-url", "https://provider.example/oauth_token.do", "--json", ...more];

describe("provider create and show name the redirect URL the instance uses, not one assumed from the default port", () => {
  const data = tempDir();
  let node: NodeProcess | undefined;
  after(async () => {
    node?.child.kill("SIGTERM");
    await node?.exited;
    fs.rmSync(data, { recursive: true, force: true });
  });

  test("before the instance ever started, the URL is said to be assumed, with what to register instead", async () => {
    const run = await cli(create(data, "Before start"));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).redirect_url, "http://127.0.0.1:8080/oauth_redirect.do");
    assert.match(run.stderr, /redirect URL: http:\/\/127\.0\.0\.1:8080\/oauth_redirect\.do is assumed, not known/);
    assert.match(run.stderr, /--public-url/);
    const korean = await cli([...create(data, "Before start, in Korean"), "--lang", "ko"]);
    assert.match(korean.stderr, /리디렉션 URL: http:\/\/127\.0\.0\.1:8080\/oauth_redirect\.do은\(는\) 추정한 값/);
  });

  test("once `start --port` served it, create stores and prints that port's /oauth_redirect.do, and show names it for an older record too", async () => {
    node = await startNodeProcess({ dataDir: data });
    const served = `http://127.0.0.1:${node.port}/oauth_redirect.do`;
    assert.notEqual(node.port, 8080);
    const run = await cli(create(data, "After start"));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).redirect_url, served);
    assert.doesNotMatch(run.stderr, /assumed/);
    // The record made before the start stored the guess; what the CLI shows is the URL in use.
    const shown = await cli(["provider", "show", "Before start", "--data", data]);
    assert.match(shown.stdout, new RegExp(`^redirect_url +${served.replaceAll(".", "\\.")}$`, "m"));
    const listed = JSON.parse((await cli(["provider", "list", "--data", data, "--json"])).stdout) as { redirect_url: string }[];
    assert.deepEqual([...new Set(listed.map((p) => p.redirect_url))], [served]);
  });

  test("a public URL given wins over the one served: the instance may be reached through a proxy", async () => {
    const flag = await cli(create(data, "Behind a proxy", "--public-url", "https://portcullis.example"));
    assert.equal(JSON.parse(flag.stdout).redirect_url, "https://portcullis.example/oauth_redirect.do");
    assert.doesNotMatch(flag.stderr, /assumed/);
    const variable = await cli(create(data, "Behind a proxy too"), { PORTCULLIS_PUBLIC_URL: "https://portcullis.example/" });
    assert.equal(JSON.parse(variable.stdout).redirect_url, "https://portcullis.example/oauth_redirect.do");
  });
});
