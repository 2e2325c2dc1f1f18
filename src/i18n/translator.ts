import i18next, { type i18n } from "i18next";
import ICU from "i18next-icu";
import { en, type MessageKey } from "./catalogs/en.ts";
import { ko } from "./catalogs/ko.ts";
import type { Locale } from "./locale.ts";

export type { MessageKey } from "./catalogs/en.ts";
export type MessageValues = Record<string, string | number>;

/** A text decided where no reader is known yet (start-up checks), worded later in the reader's language. */
export interface LocalText {
  key: MessageKey;
  values?: MessageValues;
}

/** What a page or a command needs to speak a language: messages, and dates and numbers through Intl. */
export interface Translator {
  readonly locale: Locale;
  t(key: MessageKey, values?: MessageValues): string;
  /** A stored platform timestamp ("YYYY-MM-DD HH:mm:ss", UTC) shown in the reader's conventions. */
  dateTime(value: string | number | Date): string;
  /** dateTime's text in two pieces, date and time with its zone, joined by a space, so a narrow column breaks it there and nowhere else. */
  dateTimeParts(value: string | number | Date): DateTimeParts;
  number(value: number): string;
}

export interface DateTimeParts {
  date: string;
  time: string;
}

let shared: i18n | undefined;

/** One i18next instance with ICU MessageFormat (plurals, selects, {placeholders}) for both catalogs. */
function instance(): i18n {
  if (shared) return shared;
  const created = i18next.createInstance();
  created.use(ICU).init({
    initAsync: false,
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng: "en",
    fallbackLng: false,
    // Keys are flat strings such as "registry.list.title": no nesting, no i18next-style interpolation.
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  shared = created;
  return created;
}

const platformTimestamp = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

export function translator(locale: Locale): Translator {
  const fixed = instance().getFixedT(locale);
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC", hourCycle: "h23" });
  const numberFormat = new Intl.NumberFormat(locale);
  const parse = (value: string | number | Date): Date => new Date(typeof value === "string" ? value.replace(platformTimestamp, "$1T$2Z") : value);
  const dateTimeParts = (value: string | number | Date): DateTimeParts => {
    const date = parse(value);
    if (Number.isNaN(date.getTime())) return { date: String(value), time: "" };
    const parts = dateFormat.formatToParts(date);
    // Both languages put the date first and join it to the hour with a literal (", " in English, " " in Korean).
    const hour = parts.findIndex((part) => part.type === "hour");
    const join = (list: Intl.DateTimeFormatPart[]) => list.map((part) => part.value).join("");
    return { date: join(parts.slice(0, hour)).trimEnd(), time: `${join(parts.slice(hour))} UTC` };
  };
  return {
    locale,
    t: (key, values) => fixed(key, values ?? {}) as string,
    dateTime: (value) => {
      const { date, time } = dateTimeParts(value);
      return time === "" ? date : `${date} ${time}`;
    },
    dateTimeParts,
    number: (value) => numberFormat.format(value),
  };
}
