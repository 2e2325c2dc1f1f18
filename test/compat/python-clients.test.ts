import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { findUserByName } from "../../src/store/user-store.ts";
import { adminPassword } from "../support/instance.ts";
import { registerClient, type RegisteredClient } from "../support/oauth.ts";
import { pythonWithRequestsOAuthlib, requestsOAuthlibSkip, runPython } from "../support/python.ts";
import { dialectsUnderTest } from "../support/stores.ts";
import { type HttpsInstance, startHttpsInstance } from "./compat-support.ts";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "pysnc_like_client.py");

const interpreter = pythonWithRequestsOAuthlib();
const skip = interpreter ? false : requestsOAuthlibSkip;
const run = (python: string, input: object) => runPython(python, script, input);
if (!interpreter && process.env.CI) throw new Error("CI must install python3-requests-oauthlib; .ci/run does it with apt-get");

for (const dialect of dialectsUnderTest()) {
  describe(`requests + requests-oauthlib speaking as PySNC and pysnow, verify= the development CA, on ${dialect.name}`, { skip }, () => {
    let https: HttpsInstance;
    let client: RegisteredClient;
    before(async () => {
      https = await startHttpsInstance(dialect);
      const admin = await findUserByName(https.server.instance.store.db, "admin");
      client = await registerClient(https.server.instance, { grant_types: ["password", "refresh_token"], client_credentials_user: admin!.sysId });
    });
    after(() => https.close());

    test("token, GlideRecord insert/query/update/delete, Batch API, Attachment class, pysnow update and Link paging", async () => {
      const result = await run(interpreter!, { base: https.server.base, ca_file: https.caFile, client_id: client.clientId, client_secret: client.secret, username: "admin", password: adminPassword });
      assert.equal(result.code, 0, result.stderr);
      const seen = JSON.parse(result.stdout);
      assert.deepEqual(seen.token, { expires_in_is_int: true, has_refresh_token: true });
      assert.deepEqual(seen.insert_status, [201, 201, 201]);
      assert.equal(seen.list_total, 3);
      assert.equal(seen.list_link_header, null);
      assert.equal(seen.list_ids_in_order, true);
      assert.deepEqual(seen.list_pair, { display_value: "pysnc-like 0", value: "pysnc-like 0" });
      assert.deepEqual(seen.patch, [200, "patched"]);
      assert.equal(seen.delete_status, 204);
      assert.equal(seen.batch_id_matches, true);
      assert.deepEqual(seen.batch_statuses, [200, 200]);
      assert.equal(seen.batch_patched, "batched");
      assert.deepEqual(seen.upload, [201, true]);
      assert.deepEqual(seen.attachment_list, [1, ["notes.bin"]]);
      assert.deepEqual(seen.attachment_meta, { file_name: "notes.bin", content_type: "image/png", size_bytes: "33" });
      assert.equal(seen.attachment_bytes_match, true);
      assert.equal(seen.attachment_delete, 204);
      assert.equal(seen.pysnow_found, 1);
      assert.deepEqual(seen.pysnow_put, [200, "put"]);
      assert.equal(seen.pysnow_pages, 2);
      assert.equal(seen.pysnow_delete, 204);
    });
  });
}
