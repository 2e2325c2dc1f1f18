import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { translator } from "../../src/i18n/translator.ts";
import { startServer } from "../../src/server.ts";
import { adminPassword, freePort } from "../support/instance.ts";
import { tempDir } from "../support/stores.ts";

describe("PORTCULLIS_TRUST_CA is checked when it is given, not at the first provider call", () => {
  test("start refuses a missing file, a directory or one that holds no certificate in one sentence naming the variable, the file and what to do, in English and Korean, before creating anything", async () => {
    const dir = tempDir();
    const notPem = path.join(dir, "not.pem");
    fs.writeFileSync(notPem, "hello");
    const missing = path.join(dir, "missing.pem");
    const cases = [
      [missing, `PORTCULLIS_TRUST_CA names ${missing}, which does not exist: set it to the PEM file holding the CA that issued the providers' certificates (for another instance's development CA, that instance's DATA/tls/ca.pem), or unset it if no provider needs a private CA.`, `PORTCULLIS_TRUST_CA가 가리키는 ${missing}이(가) 없으니 공급자 인증서를 발급한 CA가 든 PEM 파일로 지정하거나(다른 인스턴스의 개발용 CA라면 그 인스턴스의 DATA/tls/ca.pem) 사설 CA가 필요한 공급자가 없다면 변수를 지우세요.`],
      [dir, `PORTCULLIS_TRUST_CA names ${dir}, which is a directory, not a file: set it to the PEM file`, `PORTCULLIS_TRUST_CA가 가리키는 ${dir}은(는) 파일이 아니라 디렉터리이니`],
      [notPem, `PORTCULLIS_TRUST_CA names ${notPem}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----): set it to a file holding the CA certificate in PEM form (openssl x509 -inform der -in ${notPem} -out ca.pem converts a DER one).`, `PORTCULLIS_TRUST_CA가 가리키는 ${notPem}에 PEM 인증서(-----BEGIN CERTIFICATE-----)가 없으니 CA 인증서를 PEM 형식으로 담은 파일로 지정하세요`],
    ] as const;
    for (const [file, english, korean] of cases) {
      const data = path.join(dir, "data");
      const config = loadConfig({ dataDir: data, port: await freePort(), host: "127.0.0.1", adminPassword, logLevel: "silent", trustCa: file });
      const error = await startServer(config, { logger: false, print: () => {} }).then(
        () => assert.fail("started"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConfigError && error.text?.key === "start.trustCa.unreadable", String(error));
      assert.ok(error.message.startsWith(english), error.message);
      assert.doesNotMatch(error.message, /\(E[A-Z]+\)/);
      assert.ok(translator("ko").t(error.text.key, error.text.values).startsWith(korean), translator("ko").t(error.text.key, error.text.values));
      assert.equal(fs.existsSync(data), false, "no instance created");
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the CLI's provider commands say the same, exit 2, instead of Node's ENOENT", async () => {
    const dir = tempDir();
    let out = "";
    const write = { out: (s: string) => void (out += `${s}\n`), err: (s: string) => void (out += `${s}\n`) };
    const env = { PORTCULLIS_ADMIN_PASSWORD: adminPassword, LANG: "C", PORTCULLIS_PROVIDER_CLIENT_SECRET: "s" };
    assert.equal(await main(["node", "portcullis", "provider", "create", "--data", dir, "--name", "Crm", "--client-id", "c", "--token-url", "https://crm.example/oauth_token.do"], write, env), 0, out);
    out = "";
    const code = await main(["node", "portcullis", "provider", "token", "Crm", "--data", dir], write, { ...env, PORTCULLIS_TRUST_CA: path.join(dir, "missing.pem") });
    assert.equal(code, 2, out);
    assert.match(out, /PORTCULLIS_TRUST_CA names \S*missing\.pem, which does not exist: set it to the PEM file holding the CA/);
    assert.doesNotMatch(out, /ENOENT/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
