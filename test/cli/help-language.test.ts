import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import stringWidth from "string-width";
import { main } from "../../src/cli/main.ts";
import { en } from "../../src/i18n/catalogs/en.ts";

async function help(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += s), err: (s) => void (stdout += s) }, env);
  return { code, stdout };
}

/** Where the description column starts on each item line of a help section, in terminal cells. */
function descriptionColumns(stdout: string, items: RegExp): number[] {
  return stdout
    .split("\n")
    .filter((line) => items.test(line))
    .map((line) => stringWidth(line.match(/^(\s+\S.*?\s{2,})\S/)![1]!));
}

describe("--help in the chosen language", () => {
  test("portcullis --lang ko client --help: titles, the description and every subcommand's help in Korean", async () => {
    const { code, stdout } = await help(["--lang", "ko", "client", "--help"], { LANG: "en_US.UTF-8" });
    assert.equal(code, 0);
    assert.match(stdout, /^사용법: portcullis client \[options\] \[command\]$/m);
    assert.match(stdout, /^애플리케이션 레지스트리: "외부 클라이언트용 OAuth API 엔드포인트"$/m);
    assert.match(stdout, /^옵션:$/m);
    assert.match(stdout, /^명령:$/m);
    assert.match(stdout, /^ {2}create \[options\]\s+외부 클라이언트용 OAuth API 엔드포인트/m);
    assert.match(stdout, /^ {2}-h, --help\s+명령 도움말 표시$/m);
    assert.doesNotMatch(stdout, /Usage:|Options:|Commands:|display help|register an OAuth/);
    const columns = descriptionColumns(stdout, /^ {2}(create|list|show|update|delete|help) /);
    assert.equal(columns.length, 6);
    assert.equal(new Set(columns).size, 1, "descriptions start in one column");
  });

  test("every command's help fits 80 columns, in English and in Korean", async () => {
    const commands = [[], ["client"], ["provider"], ["pipeline"], ["start"], ["provider", "create"], ["provider", "update"], ["provider", "call"], ["client", "create"], ["pipeline", "up"]];
    for (const lang of ["en", "ko"]) {
      for (const command of commands) {
        const { code, stdout } = await help([...command, "--help", "--lang", lang]);
        assert.equal(code, 0);
        const wide = stdout.split("\n").filter((line) => stringWidth(line) > 80);
        assert.deepEqual(wide, [], `portcullis ${command.join(" ")} --help --lang ${lang}`);
      }
    }
  });

  test("LANG=ko_KR picks Korean option help and defaults; English without it", async () => {
    const korean = await help(["provider", "create", "--help"], { LANG: "ko_KR.UTF-8" });
    assert.equal(korean.code, 0);
    assert.match(korean.stdout, /--token-url <url>\s+공급자의 토큰 엔드포인트/);
    assert.match(korean.stdout, /--data <dir>\s+인스턴스의 데이터 디렉터리/);
    assert.match(korean.stdout, /\(기본값: "basic"\)/);

    const english = await help(["provider", "create", "--help"], { LANG: "C" });
    assert.match(english.stdout, /^Usage: portcullis provider create \[options\]$/m);
    assert.match(english.stdout, /--token-url <url>\s+the provider's token endpoint/);
    assert.match(english.stdout, /\(default: "basic"\)/);
    assert.doesNotMatch(english.stdout, /[가-힣]/);

    // No locale at all (a service's environment): the instance's own language, PORTCULLIS_LOCALE.
    const instanceKorean = await help(["provider", "create", "--help"], { PORTCULLIS_LOCALE: "ko" });
    assert.match(instanceKorean.stdout, /--token-url <url>\s+공급자의 토큰 엔드포인트/);
    assert.doesNotMatch((await help(["provider", "create", "--help"], { PORTCULLIS_LOCALE: "ko", LANG: "C" })).stdout, /[가-힣]/);
    // Only a value the instance itself takes: start refuses "ko-KR", so it picks no language here either.
    assert.doesNotMatch((await help(["provider", "create", "--help"], { PORTCULLIS_LOCALE: "ko-KR" })).stdout, /[가-힣]/);
  });

  test("a create command's --help marks the options it requires, in both languages; --name leads client create's", async () => {
    const english = await help(["client", "create", "--help", "--lang", "en"]);
    const options = english.stdout.replace(/\n {20,}/g, " ").split("\n").filter((line) => /^ {2}-/.test(line));
    assert.match(options[0]!, /^ {2}--name <name>\s+the endpoint's name, unique on the instance \(required\)$/);
    assert.deepEqual(options.filter((line) => line.includes("(required)")).length, 1, options.join("\n"));
    assert.match((await help(["client", "create", "--help", "--lang", "ko"])).stdout, /--name <name>\s+엔드포인트 이름, 인스턴스에서 고유 \(필수\)/);
    const provider = (await help(["provider", "create", "--help", "--lang", "en"])).stdout.replace(/\n {20,}/g, " ");
    for (const flag of ["--name <name>", "--client-id <id>", "--token-url <url>"]) assert.match(provider, new RegExp(`${flag}\\s+[^\\n]*\\(required\\)`), flag);
    assert.doesNotMatch((await help(["client", "update", "--help", "--lang", "en"])).stdout, /\(required\)/, "update requires nothing");
  });

  test("the README's client create and user create rows name every option their --help lists", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const command of ["client create", "user create"]) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${command} `))!;
      assert.ok(row, command);
      const flags = [...(await help([...command.split(" "), "--help", "--lang", "en"])).stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
      // --data, --lang and --help are every command's, and the README says so once under the table.
      const missing = flags.filter((flag) => !["--data", "--lang", "--help"].includes(flag) && !new RegExp(`${flag}(?![a-z-])`).test(row));
      assert.deepEqual(missing, [], command);
    }
  });

  test("pipeline and start help in Korean too", async () => {
    const pipeline = await help(["pipeline", "--help", "--lang=ko"]);
    assert.match(pipeline.stdout, /^ {2}up \[options\] <file>\s+모든 엔드포인트, 공급자 레코드, 토큰을 생성하거나/m);
    // It says why it calls: to check every edge works, where "모든 연결로 호출" left the reader to guess.
    assert.match(pipeline.stdout.replace(/\s+/g, " "), /복구한 뒤, 모든 연결에서 실제로 호출해 동작을 확인/);
    const start = await help(["start", "--help", "--lang", "ko"]);
    assert.match(start.stdout, /--port <port>\s+수신할 포트/);
  });

  test("commander's parse errors in Korean (exit 2), and as commander words them in English", async () => {
    const korean = await help(["client", "lst", "--lang", "ko"]);
    assert.equal(korean.code, 2);
    assert.match(korean.stdout, /^오류: 알 수 없는 명령 “lst”\n\(list을\(를\) 말씀하신 건가요\?\)/m);
    const missing = await help(["client", "create", "--lang", "ko"]);
    assert.match(missing.stdout, /^오류: 필수 옵션 “--name <name>”을\(를\) 지정하지 않았습니다/m);
    const english = await help(["client", "create", "--name", "x", "--access-token-lifespan", "ten"], { LANG: "C" });
    assert.equal(english.code, 2);
    assert.match(english.stdout, /^error: option '--access-token-lifespan <seconds>' argument 'ten' is invalid\. must be a whole number of seconds/m);
  });

  test("--version and -V print the package's version and succeed; the option is described in the reader's language", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) assert.deepEqual(await help([flag]), { code: 0, stdout: `${manifest.version}\n` });
    assert.match((await help(["--help"], { LANG: "ko_KR.UTF-8" })).stdout, /^ {2}-V, --version\s+Portcullis 버전 표시$/m);
  });

  test("a usage error is followed by where the help is, not by the whole help, in the reader's language", async () => {
    const english = await help(["client", "show"]);
    assert.equal(english.code, 2);
    assert.equal(english.stdout, "error: missing required argument 'client'\n(see portcullis client show --help)\n");
    const korean = await help(["--lang", "ko", "clint"]);
    assert.equal(korean.code, 2);
    assert.match(korean.stdout, /\(portcullis --help 참고\)\n$/);
    assert.doesNotMatch(korean.stdout, /사용법/);
  });

  test("a mistyped option is named, with the one meant, before any required option it leaves missing", async () => {
    const typo = await help(["client", "create", "--nmae", "x"], { LANG: "C" });
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, "error: unknown option '--nmae'\n(Did you mean --name?)\n(see portcullis client create --help)\n");
    const provider = await help(["provider", "create", "--name", "a", "--client-id", "b", "--token-ulr", "https://x.example/oauth_token.do"], { LANG: "C" });
    assert.match(provider.stdout, /^error: unknown option '--token-ulr'\n\(Did you mean --token-url\?\)/);
    // Without a typo, a required option left out is still named, and nothing runs.
    const missing = await help(["provider", "create", "--name", "a", "--client-id", "b"], { LANG: "C" });
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "error: required option '--token-url <url>' not specified\n(see portcullis provider create --help)\n");
  });

  test("provider call and token --help name PORTCULLIS_TRUST_CA, which has no flag, in English and Korean; the list of commands stays short", async () => {
    const flat = (text: string) => text.replace(/\s+/g, " ");
    for (const command of ["call", "token"]) {
      const english = await help(["provider", command, "--help"], { LANG: "C" });
      assert.match(flat(english.stdout), /a provider whose certificate comes from a private CA needs PORTCULLIS_TRUST_CA set to a PEM file holding that CA, in this command's environment \(there is no flag\)/, command);
      const korean = await help(["provider", command, "--help", "--lang", "ko"]);
      assert.match(flat(korean.stdout), /사설 CA가 발급한 인증서를 쓰는 공급자라면 이 명령의 환경에서 PORTCULLIS_TRUST_CA에 그 CA가 든 PEM 파일을 지정해야 합니다/, command);
    }
    const list = await help(["provider", "--help"], { LANG: "C" });
    assert.doesNotMatch(list.stdout, /PORTCULLIS_TRUST_CA|exit code 4/);
  });

  test("--lang's help names PORTCULLIS_LOCALE, the language taken when no locale variable is set, as the CLI does", async () => {
    for (const lang of ["en", "ko"]) {
      const { stdout } = await help(["client", "list", "--help", "--lang", lang]);
      assert.match(stdout.replace(/\s+/g, " "), /LC_ALL, LC_MESSAGES, (then|그다음) LANG[;.] .*PORTCULLIS_LOCALE\)/, lang);
    }
    // What the help says: a bare environment with PORTCULLIS_LOCALE=ko speaks Korean; a locale variable set wins over it.
    assert.match((await help(["client", "--help"], { PORTCULLIS_LOCALE: "ko" })).stdout, /^사용법: /m);
    assert.match((await help(["client", "--help"], { PORTCULLIS_LOCALE: "ko", LANG: "C" })).stdout, /^Usage: /m);
  });

  test("English --help names a field as the admin UI labels it ('the OAuth entity profile'), never in the Title Case the forms dropped", async () => {
    const labels: string[] = Object.entries(en).filter(([key]) => /^(field|provider\.field|fieldLabel)\./.test(key)).map(([, label]) => label);
    const titleCase = (label: string) => label.replace(/ ([a-z])/g, (_, letter: string) => ` ${letter.toUpperCase()}`);
    const oldForms = [...new Set(labels.map(titleCase).filter((form) => !labels.includes(form)))];
    assert.ok(oldForms.includes("OAuth Entity Profile") && oldForms.includes("Access Token Lifespan"), oldForms.join(", "));
    // Every command's help, found by walking each Commands: section from the top.
    const strays: string[] = [];
    const pending: string[][] = [[]];
    for (let command = pending.pop(); command; command = pending.pop()) {
      const { stdout } = await help([...command, "--help", "--lang", "en"]);
      const flat = stdout.replace(/\s+/g, " ");
      strays.push(...oldForms.filter((form) => flat.includes(form)).map((form) => `portcullis ${command.join(" ")}: ${form}`));
      const listed = stdout.split(/^Commands:$/m)[1] ?? "";
      for (const [, name] of listed.matchAll(/^ {2}([a-z][a-z-]*)/gm)) if (name !== "help") pending.push([...command, name!]);
    }
    assert.deepEqual(strays, []);
    const create = (await help(["provider", "create", "--help", "--lang", "en"])).stdout.replace(/\s+/g, " ");
    assert.match(create, /--oauth-profile <name> the name of the OAuth entity profile holding the default grant and scope/);
  });
});
