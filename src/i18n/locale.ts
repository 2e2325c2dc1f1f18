/** The languages the instance speaks; English is the default so the platform's own terms stay recognisable. */
export const locales = ["en", "ko"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "en";

/** The order a language writes a person's name in: Korean puts the family name first (성, 이름), so its forms ask for it first. */
export function namePartOrder(locale: Locale): readonly ["first_name", "last_name"] | readonly ["last_name", "first_name"] {
  return locale === "ko" ? ["last_name", "first_name"] : ["first_name", "last_name"];
}

/** "ko-KR", "ko_KR.UTF-8", "KO" → "ko"; anything else we do not speak → undefined. */
export function toLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_.@]/)[0];
  return (locales as readonly string[]).includes(primary ?? "") ? (primary as Locale) : undefined;
}

/** The best of our languages for an Accept-Language header (RFC 9110 §12.5.4), honouring q-values. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const quality = q ? Number(q.slice(2)) : 1;
      return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const entry of ranked) {
    const locale = toLocale(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}

/**
 * Which language a person reads: their saved preference, else the language switch's cookie
 * (for someone not signed in), else what the browser asks for, else the instance default.
 */
export function resolveLocale(sources: { preferred?: string | null | undefined; cookie?: string | undefined; acceptLanguage?: string | undefined; instanceDefault: Locale }): Locale {
  return toLocale(sources.preferred) ?? toLocale(sources.cookie) ?? fromAcceptLanguage(sources.acceptLanguage) ?? sources.instanceDefault;
}

/**
 * The CLI: --lang, else the first of LC_ALL, LC_MESSAGES, LANG that is set (POSIX precedence: a
 * set LC_ALL decides even when we do not speak it, so `LC_ALL=C` gives English, as scripts
 * expect of every tool), else the instance default.
 */
export function resolveCliLocale(flag: string | undefined, env: NodeJS.ProcessEnv, instanceDefault: Locale = defaultLocale): Locale {
  const setting = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value.trim() !== "");
  // A set variable decides, C included; with none set, the instance's own language speaks.
  return toLocale(flag) ?? (setting === undefined ? instanceDefault : (toLocale(setting) ?? defaultLocale));
}
