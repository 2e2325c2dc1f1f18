import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { languageCookie } from "../../src/http/i18n/request-locale.ts";
import { signIn } from "../support/admin.ts";
import { adminPassword, startTestInstance, type TestInstance } from "../support/instance.ts";
import { http } from "../support/oauth.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const [dialect] = dialectsUnderTest();

/** The words on one edge of each drawing (wide, then tall), one string per line. */
function edgeWords(html: string, edge: string): string[][] {
  return [...html.matchAll(new RegExp(`<g class="graph-edge [^"]*" data-edge="${edge}"[^>]*>.*?<text [^>]*>(.*?)</text>`, "g"))].map((m) => [...m[1]!.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]!));
}

describe("the Pipeline graph's edges say until when their token holds: the date and time, UTC, as the page's language writes them", () => {
  let server: TestInstance;

  before(async () => {
    server = await startTestInstance(dialect!);
    const report = {
      kind: "verify",
      ok: true,
      instances: [
        { name: "production", url: server.base, controller: true },
        { name: "development", url: "https://dev.example", controller: false },
      ],
      edges: [{ from: "production", to: "development", provider: "Pipeline Development", status: "ok", detail: "GET /api/now/v1/whoami 200", token_expires_at: "2030-03-12T08:05:09.000Z" }],
      drift: [],
    };
    const recorded = await http(`${server.base}/api/portcullis/pipeline/runs`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify(report),
    });
    assert.equal(recorded.status, 201, recorded.text);
  });
  after(() => server?.close());

  test("in English", async () => {
    const words = edgeWords((await (await signIn(server.base)).get("/admin/pipeline")).html, "production→development");
    assert.deepEqual(words, [
      ["ok", "until Mar 12, 2030, 08:05:09 UTC"],
      ["↓ ok", "until Mar 12, 2030, 08:05:09 UTC"],
    ]);
  });

  test("in Korean", async () => {
    const browser = await signIn(server.base);
    browser.setCookie(languageCookie, "ko");
    const words = edgeWords((await browser.get("/admin/pipeline")).html, "production→development");
    assert.deepEqual(words, [
      ["정상", "2030. 3. 12. 8:05:09 UTC까지"],
      ["↓ 정상", "2030. 3. 12. 8:05:09 UTC까지"],
    ]);
  });
});
