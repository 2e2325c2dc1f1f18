import type { FastifyReply, FastifyRequest } from "fastify";
import { resolveLocale, type Locale } from "../../i18n/locale.ts";
import { translator, type Translator } from "../../i18n/translator.ts";
import type { Instance } from "../../instance.ts";

/** The language switch's cookie, for people who are not signed in. */
export const languageCookie = "portcullis_lang";

/** The request's language: the user's saved preference, else the switch's cookie, else Accept-Language, else PORTCULLIS_LOCALE. */
export function requestLocale(instance: Instance, request: FastifyRequest, preferred?: string | null): Locale {
  return resolveLocale({
    preferred,
    cookie: request.cookies?.[languageCookie],
    acceptLanguage: request.headers["accept-language"],
    instanceDefault: instance.config.locale,
  });
}

export function requestTranslator(instance: Instance, request: FastifyRequest, preferred?: string | null): Translator {
  return translator(requestLocale(instance, request, preferred));
}

/** Pages differ by language: caches must key on what chose it. */
export function varyByLanguage(reply: FastifyReply): void {
  reply.header("vary", "Accept-Language, Cookie");
}
