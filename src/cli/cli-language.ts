import { type Locale, locales, resolveCliLocale } from "../i18n/locale.ts";
import { translator, type Translator } from "../i18n/translator.ts";

/**
 * The language of a CLI run: --lang (read before commander parses, since help texts are built
 * first), then the first set of LC_ALL, LC_MESSAGES, LANG, then, with none set,
 * PORTCULLIS_LOCALE, the instance's language (a service started with no locale at all). Every command takes the Translator this returns and prints
 * only catalog text through it: i18n.t("cli.<command>.<message>", { …values }).
 */
export function cliTranslator(argv: readonly string[], env: NodeJS.ProcessEnv): Translator {
  let flag: string | undefined;
  for (const [index, arg] of argv.entries()) {
    if (arg === "--") break;
    if (arg === "--lang") flag = argv[index + 1];
    else if (arg.startsWith("--lang=")) flag = arg.slice("--lang=".length);
  }
  // Exactly as the instance takes it (config.ts): a value start would refuse does not pick a language either.
  const instanceLocale = (locales as readonly string[]).includes(env.PORTCULLIS_LOCALE ?? "") ? (env.PORTCULLIS_LOCALE as Locale) : undefined;
  return translator(resolveCliLocale(flag, env, instanceLocale));
}
