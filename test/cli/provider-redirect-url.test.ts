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
    // Before any start, provider token cannot know the address either, and says the one it prints is assumed.
    assert.equal((await cli(create(data, "Browser before start", "--default-grant", "authorization_code", "--authorization-url", "https://provider.example/oauth_auth.do"))).code, 0);
    const token = await cli(["provider", "token", "Browser before start", "--data", data]);
    assert.equal(token.code, 2);
    assert.match(token.stderr, /open \/api\/portcullis\/connections\/[0-9a-f]{32}\/authorize at the instance's public URL \(http:\/\/127\.0\.0\.1:8080\/api\/portcullis\/connections\/[0-9a-f]{32}\/authorize assumes the default/);
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

  test("provider token on an authorization_code provider names the authorize page at the URL served, not at the default port", async () => {
    const browser = create(data, "Browser only", "--default-grant", "authorization_code", "--authorization-url", "https://provider.example/oauth_auth.do");
    const created = await cli(browser);
    assert.equal(created.code, 0, created.stderr);
    const sysId = JSON.parse(created.stdout).sys_id as string;
    const authorize = `http://127.0.0.1:${node!.port}/api/portcullis/connections/${sysId}/authorize`;
    const english = await cli(["provider", "token", "Browser only", "--data", data]);
    assert.equal(english.code, 2);
    assert.match(english.stderr, new RegExp(`grant: authorization_code needs a browser: sign in as admin and open ${authorize.replaceAll(".", "\\.")}$`, "m"));
    assert.doesNotMatch(english.stderr, /:8080/);
    const korean = await cli(["provider", "token", "Browser only", "--data", data, "--lang", "ko"]);
    assert.equal(korean.code, 2);
    assert.match(korean.stderr, new RegExp(`admin으로 로그인해 ${authorize.replaceAll(".", "\\.")}을\\(를\\) 여세요`));
    // Reached through a proxy: the URL given in the environment wins, as for the redirect URL.
    const proxied = await cli(["provider", "token", "Browser only", "--data", data], { PORTCULLIS_PUBLIC_URL: "https://portcullis.example" });
    assert.match(proxied.stderr, new RegExp(`open https://portcullis\\.example/api/portcullis/connections/${sysId}/authorize$`, "m"));
  });

  test("a public URL given wins over the one served: the instance may be reached through a proxy", async () => {
    const flag = await cli(create(data, "Behind a proxy", "--public-url", "https://portcullis.example"));
    assert.equal(JSON.parse(flag.stdout).redirect_url, "https://portcullis.example/oauth_redirect.do");
    assert.doesNotMatch(flag.stderr, /assumed/);
    const variable = await cli(create(data, "Behind a proxy too"), { PORTCULLIS_PUBLIC_URL: "https://portcullis.example/" });
    assert.equal(JSON.parse(variable.stdout).redirect_url, "https://portcullis.example/oauth_redirect.do");
  });
});
