import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { IntlMessageFormat } from "intl-messageformat";
import { en } from "../../src/i18n/catalogs/en.ts";
import { ko } from "../../src/i18n/catalogs/ko.ts";
import { fromAcceptLanguage, resolveCliLocale, resolveLocale, toLocale } from "../../src/i18n/locale.ts";
import { translator } from "../../src/i18n/translator.ts";

/** The argument names a message uses, from the ICU parser's tree: {name}, {count, plural, …} and those inside plural branches. */
function placeholders(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
      if ("value" in element && typeof element.value === "string" && element.type !== TYPE.tag) names.add(element.value);
      if ("options" in element) for (const option of Object.values(element.options)) walk(option.value);
      if (element.type === TYPE.tag) walk(element.children);
    }
  };
  walk(parse(message));
  return [...names].sort();
}

describe("message catalogs", () => {
  test("English and Korean have the same keys", () => {
    assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
  });

  test("every message has the same placeholders in both languages and parses as ICU MessageFormat", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.deepEqual(placeholders(ko[key]), placeholders(en[key]), key);
      assert.doesNotThrow(() => new IntlMessageFormat(en[key], "en"), `en ${key}`);
      assert.doesNotThrow(() => new IntlMessageFormat(ko[key], "ko"), `ko ${key}`);
    }
  });

  test("no Korean message is left in English (except names and codes the platform keeps)", () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((key) => en[key] === ko[key]);
    assert.deepEqual(same.sort(), ["app.name", "audit.changed", "audit.set", "common.verbatim", "errors.labelSeparator", "language.en", "language.ko", "shell.titleSuffix", "trust.detail.callOk", "trust.detail.remote.status"]);
  });

  test("Korean names each OAuth term one way: 권한 부여 코드 for an authorization code, 해지 for revoking a token", () => {
    // A reader who sees 인증 코드 on one page and 권한 부여 코드 on the next cannot tell they are the same thing.
    const strays = (Object.keys(ko) as (keyof typeof ko)[]).filter((key) => /인증 코드|토큰[이을를]? 취소/.test(ko[key]));
    assert.deepEqual(strays, []);
  });

  test("no Korean particle stands after a space, as in '. _ @ - 를': a particle is written onto the word or bracket before it", () => {
    const strays = (Object.keys(ko) as (keyof typeof ko)[]).filter((key) => / (을|를|로|으로|와|과|은|는|에|의)(?=[\s.,)]|$)/.test(ko[key]));
    assert.deepEqual(strays, []);
  });

  test("Korean labels a user's first name 이름 and last name 성, and the display name apart from both", () => {
    assert.deepEqual([ko["users.firstName"], ko["users.lastName"], ko["fieldLabel.sys_user.first_name"], ko["fieldLabel.sys_user.last_name"], ko["help.user.firstName"]], ["이름", "성", "이름", "성", "이름"]);
    const userLabels = (Object.keys(ko) as (keyof typeof ko)[]).filter((key) => key.startsWith("fieldLabel.sys_user.")).map((key) => ko[key]);
    assert.equal(new Set(userLabels).size, userLabels.length, userLabels.join(", "));
    assert.notEqual(ko["users.displayName"], ko["users.firstName"]);
  });

  test("plurals follow each language's rules; placeholders are filled", () => {
    const english = translator("en");
    const korean = translator("ko");
    assert.equal(english.t("registry.count", { count: 1 }), "1 record");
    assert.equal(english.t("registry.count", { count: 3 }), "3 records");
    assert.equal(korean.t("registry.count", { count: 1 }), "레코드 1개");
    assert.equal(korean.t("registry.count", { count: 3 }), "레코드 3개");
    assert.equal(korean.t("regenerate.pageTitle", { name: "Pipeline Controller Client" }), "암호 다시 생성 · Pipeline Controller Client");
    assert.equal(english.t("home.usersText", { count: 1200 }), "1,200 users");
    // A pager's numbers are grouped as the count above it is.
    assert.equal(english.t("users.range", { first: 1001, last: 1100, total: 12345 }), "Users 1,001–1,100 of 12,345");
    assert.equal(korean.t("registry.range", { first: 1001, last: 1100, total: 12345 }), "레코드 12,345개 중 1,001–1,100");
  });

  test("dates and numbers go through Intl for the reader; the stored value is the platform's fixed format", () => {
    assert.equal(translator("en").dateTime("2026-03-12 08:05:09"), "Mar 12, 2026, 08:05:09 UTC");
    assert.equal(translator("ko").dateTime("2026-03-12 08:05:09"), "2026. 3. 12. 8:05:09 UTC");
    assert.equal(translator("ko").number(1234567), "1,234,567");
  });
});

describe("locale resolution", () => {
  test("language tags and POSIX locale names map to what we speak", () => {
    assert.equal(toLocale("ko-KR"), "ko");
    assert.equal(toLocale("ko_KR.UTF-8"), "ko");
    assert.equal(toLocale("en_US.UTF-8"), "en");
    assert.equal(toLocale("C"), undefined);
    assert.equal(toLocale("fr"), undefined);
  });

  test("Accept-Language honours q-values and skips languages we do not speak", () => {
    assert.equal(fromAcceptLanguage("fr-FR,ko;q=0.8,en;q=0.5"), "ko");
    assert.equal(fromAcceptLanguage("en;q=0.3, ko-KR;q=0.9"), "ko");
    assert.equal(fromAcceptLanguage("ko;q=0, en"), "en");
    assert.equal(fromAcceptLanguage("fr, de"), undefined);
    assert.equal(fromAcceptLanguage(""), undefined);
  });

  test("the user's preference, then the switch's cookie, then Accept-Language, then the instance default", () => {
    assert.equal(resolveLocale({ preferred: "ko", cookie: "en", acceptLanguage: "en", instanceDefault: "en" }), "ko");
    assert.equal(resolveLocale({ preferred: null, cookie: "ko", acceptLanguage: "en", instanceDefault: "en" }), "ko");
    assert.equal(resolveLocale({ preferred: null, acceptLanguage: "ko-KR,ko;q=0.9", instanceDefault: "en" }), "ko");
    assert.equal(resolveLocale({ preferred: "xx", cookie: "yy", acceptLanguage: "fr", instanceDefault: "ko" }), "ko");
    assert.equal(resolveLocale({ instanceDefault: "en" }), "en");
  });

  test("the CLI: --lang, then the first set of LC_ALL, LC_MESSAGES, LANG (POSIX)", () => {
    assert.equal(resolveCliLocale("ko", { LC_ALL: "en_US.UTF-8", LANG: "en_US.UTF-8" }), "ko");
    assert.equal(resolveCliLocale(undefined, { LC_ALL: "ko_KR.UTF-8", LANG: "en_US.UTF-8" }), "ko");
    assert.equal(resolveCliLocale(undefined, { LANG: "ko_KR.UTF-8" }), "ko");
    assert.equal(resolveCliLocale(undefined, { LC_MESSAGES: "ko_KR.UTF-8", LANG: "en_US.UTF-8" }), "ko");
    // A set LC_ALL decides, as for every POSIX tool: scripts set LC_ALL=C for untranslated output.
    for (const c of ["C", "POSIX", "C.UTF-8"]) assert.equal(resolveCliLocale(undefined, { LC_ALL: c, LANG: "ko_KR.UTF-8" }), "en", c);
    assert.equal(resolveCliLocale(undefined, { LC_ALL: "", LANG: "ko_KR.UTF-8" }), "ko", "an empty LC_ALL is unset");
    assert.equal(resolveCliLocale(undefined, {}), "en");
    // With none set, the instance's language (PORTCULLIS_LOCALE); a set one, even C, still decides.
    assert.equal(resolveCliLocale(undefined, {}, "ko"), "ko");
    assert.equal(resolveCliLocale(undefined, { LANG: "C.UTF-8" }, "ko"), "en");
    assert.equal(resolveCliLocale(undefined, { LANG: "en_US.UTF-8" }, "ko"), "en");
  });
});
