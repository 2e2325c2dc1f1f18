import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { adminBearer, apiCall, recordProvider } from "../support/consumer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { dialectsUnderTest } from "../support/stores.ts";

const connections = "/api/portcullis/connections";

type Answer = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A provider on loopback that answers each request as the test says: the servers integrators meet, not the one the RFC describes. */
async function startOddProvider() {
  let answer: Answer = (_request, response) => void response.writeHead(404).end();
  const requests: string[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    open.add(response);
    response.on("close", () => open.delete(response));
    request.resume().on("end", () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer(next: Answer) {
      answer = next;
    },
    close: () => {
      for (const response of open) response.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const json = (body: string, status = 200): Answer => (_request, response) => void response.writeHead(status, { "content-type": "application/json" }).end(body);
const bearerAnswer = (fields: Record<string, unknown>) => json(JSON.stringify({ access_token: `token-${Math.random()}`, token_type: "Bearer", ...fields }));

/** Writes `megabytes` of filler, one MiB at a time as the reader takes it; reports how much went out. */
function flood(contentType: string, megabytes: number, written: { bytes: number }): Answer {
  return (_request, response) => {
    response.writeHead(200, { "content-type": contentType });
    const chunk = Buffer.alloc(1024 * 1024, "x");
    let left = megabytes;
    const write = () => {
      while (left > 0 && !response.destroyed) {
        left--;
        written.bytes += chunk.length;
        if (!response.write(chunk)) return void response.once("drain", write);
      }
      response.end();
    };
    write();
  };
}

for (const dialect of dialectsUnderTest()) {
  describe(`answers a provider should not give are reported as its failure (${dialect.name})`, () => {
    let consumer: TestInstance;
    let odd: Awaited<ReturnType<typeof startOddProvider>>;
    let bearer: string;
    before(async () => {
      [consumer, odd] = await Promise.all([startTestInstance(dialect), startOddProvider()]);
      bearer = await adminBearer(consumer);
    });
    after(async () => {
      await Promise.all([consumer?.close(), odd?.close()]);
    });

    const connection = (name: string) => recordProvider(consumer.instance, { name, client_id: `odd-${name.toLowerCase().replace(/ /g, "-")}`, client_secret: "odd-secret", token_url: `${odd.base}/token` });
    const getToken = (sysId: string) => apiCall(consumer, bearer, "POST", `${connections}/${sysId}/token`, {});
    const stored = (sysId: string) => consumer.instance.store.db.selectFrom("oauth_obtained_token").select(["expires_at"]).where("provider", "=", sysId).executeTakeFirst();

    test("a token answer that is JSON but not an object (null, a list) is refused with a 502 in words, not a 500", async () => {
      const provider = await connection("Null Answer");
      for (const body of ["null", "[1,2]"]) {
        odd.answer(json(body));
        const got = await getToken(provider.sysId);
        assert.equal(got.status, 502, got.text);
        assert.equal(got.body.error.message, "the token endpoint answered 200 without an access_token");
        odd.answer(json(body, 400));
        const refused = await getToken(provider.sysId);
        assert.equal(refused.status, 502, refused.text);
      }
      assert.equal(await stored(provider.sysId), undefined);
    });

    test("an error answer without an OAuth error says so, rather than showing a code the provider never sent", async () => {
      const provider = await connection("HTML Error");
      odd.answer((_request, response) => void response.writeHead(500, { "content-type": "text/html" }).end("<h1>Internal Server Error</h1>"));
      const got = await getToken(provider.sysId);
      assert.equal(got.status, 502, got.text);
      assert.equal(got.body.error.message, "the token endpoint answered HTTP 500 without an OAuth error code");
      // An answer that has one still shows it.
      odd.answer(json(JSON.stringify({ error: "invalid_client" }), 401));
      assert.equal((await getToken(provider.sysId)).body.error.message, "the token endpoint answered 401 invalid_client");
    });

    test("an error body answered with 200 (as GitHub answers a refused code) is a refusal with the provider's reason", async () => {
      const provider = await connection("Error With 200");
      odd.answer(json(JSON.stringify({ error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." })));
      const got = await getToken(provider.sysId);
      assert.equal(got.status, 502, got.text);
      assert.equal(got.body.error.detail, "incorrect_client_credentials");
      assert.equal(got.body.error.message, "the token endpoint answered 200 incorrect_client_credentials: The client_id and/or client_secret passed are incorrect.");
    });

    test("a token endpoint that redirects is not followed, and the message says where it pointed", async () => {
      const provider = await connection("Moved");
      odd.answer((_request, response) => void response.writeHead(301, { location: "/v2/token" }).end());
      const before = odd.requests.length;
      const got = await getToken(provider.sysId);
      assert.equal(got.status, 502, got.text);
      assert.equal(got.body.error.message, `the token endpoint redirected (HTTP 301) to ${odd.base}/v2/token; a token request is not sent on to another address: set the token URL to the one the provider uses`);
      assert.deepEqual(odd.requests.slice(before), ["POST /token"]);
    });

    test("a token answer larger than 1 MiB is refused without being read to the end", async () => {
      const provider = await connection("Flood");
      const written = { bytes: 0 };
      odd.answer(flood("application/json", 64, written));
      const got = await getToken(provider.sysId);
      assert.equal(got.status, 502, got.text);
      assert.equal(got.body.error.detail, "too_large");
      assert.equal(got.body.error.message, `${odd.base} sent an answer larger than 1024 KiB; it was not read`);
      assert.ok(written.bytes < 64 * 1024 * 1024, `the provider wrote all ${written.bytes} bytes`);
      assert.equal(await stored(provider.sysId), undefined);
    });

    test("an API answer larger than 16 MiB is refused (502), not handed back whole", async () => {
      const provider = await connection("Big API");
      odd.answer(bearerAnswer({ expires_in: 3600 }));
      assert.equal((await getToken(provider.sysId)).status, 200);
      const written = { bytes: 0 };
      odd.answer(flood("text/plain", 24, written));
      const call = await apiCall(consumer, bearer, "POST", `${connections}/${provider.sysId}/call`, { method: "GET", path: "/api/report" });
      assert.equal(call.status, 502, call.text.slice(0, 300));
      assert.equal(call.body.error.detail, "too_large");
      assert.match(call.body.error.message, /sent an answer larger than 16384 KiB/);
    });

    test("a token answer that sends its headers and then stalls fails as a timeout naming the provider's origin (502), not a 500", async () => {
      const provider = await connection("Stall");
      odd.answer((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"access_token":');
      });
      const got = await getToken(provider.sysId);
      assert.equal(got.status, 502, got.text);
      assert.equal(got.body.error.detail, "timeout");
      assert.equal(got.body.error.message, `${odd.base} did not answer within 15 seconds`);
      assert.equal(await stored(provider.sysId), undefined);
    });

    test("expires_in: a string is read, a fraction is stored in whole seconds, a lifetime beyond a century is none stated", async () => {
      const provider = await connection("Lifetimes");
      const cases: { sent: unknown; expect: (expiresAt: number | null, asked: number) => boolean }[] = [
        { sent: "3600", expect: (at, asked) => at !== null && Math.abs(at - asked - 3_600_000) < 5_000 },
        // 3599.9995 s is a fractional millisecond count: PostgreSQL's bigint refused it, after the provider had issued the token.
        { sent: 3599.9995, expect: (at, asked) => at !== null && Number.isInteger(Number(at)) && Math.abs(at - asked - 3_599_000) < 5_000 },
        // 10^13 s from now is past what a Date holds: every listing of connections then failed with "Invalid time value".
        { sent: 1e13, expect: (at) => at === null },
        { sent: "soon", expect: (at) => at === null },
      ];
      for (const { sent, expect } of cases) {
        odd.answer(bearerAnswer({ expires_in: sent }));
        const asked = Date.now();
        const got = await getToken(provider.sysId);
        assert.equal(got.status, 200, `${sent}: ${got.text}`);
        const row = await stored(provider.sysId);
        assert.ok(expect(row?.expires_at === null || row?.expires_at === undefined ? null : Number(row.expires_at), asked), `${sent} stored as ${row?.expires_at}`);
        const listed = await apiCall(consumer, bearer, "GET", connections);
        assert.equal(listed.status, 200, `${sent}: ${listed.text}`);
      }
      // A row stored before lifetimes were bounded reads as having no expiry, rather than breaking the listings.
      await consumer.instance.store.db.updateTable("oauth_obtained_token").set({ expires_at: 1e16 }).where("provider", "=", provider.sysId).execute();
      const listed = await apiCall(consumer, bearer, "GET", connections);
      assert.equal(listed.status, 200, listed.text);
      const mine = (listed.body as { result: { sys_id: string; expires_at: string }[] }).result.find((c) => c.sys_id === provider.sysId);
      assert.equal(mine?.expires_at, "");
    });
  });
}
