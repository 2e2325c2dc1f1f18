import { en } from "./catalogs/en.ts";
import { enStoredTexts } from "./catalogs/en-stored-texts.ts";
import { type MessageKey, type Translator, translator } from "./translator.ts";

/**
 * A text decided now and read later, by someone whose language is not known yet: why a
 * connection turned unhealthy, why an audited change was made. It is kept as its catalog key
 * and values, so the Korean page words it in Korean; a value may itself be such a text (a
 * refresh that failed because the provider could not be reached).
 */
export interface StoredText {
  key: MessageKey;
  values?: Record<string, string | number | StoredText>;
}

const english = translator("en");

/** The text in the reader's language; an older row's plain English comes back as it was stored. */
export function worded(text: StoredText, t: Translator["t"] = english.t): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(text.values ?? {})) values[name] = typeof value === "object" ? worded(value, t) : value;
  return t(text.key, values);
}

export const inEnglish = (text: StoredText): string => worded(text, english.t);

/** Plain text that no catalog words: a provider's own error description, or a row from before texts were stored as keys. */
export const verbatim = (text: string): StoredText => ({ key: "common.verbatim", values: { text } });

export function encodeStoredText(text: StoredText): string {
  return JSON.stringify(text);
}

/**
 * The keys a stored text may use: the texts made to be kept (en-stored-texts.ts) and a run's
 * edge details and drift. Not every page text: a run or a peer could otherwise make a reason read as a
 * button's label, and a renamed page text would orphan stored rows.
 */
const storableKey = (key: string): boolean => Object.hasOwn(en, key) && (Object.hasOwn(enStoredTexts, key) || key.startsWith("trust.detail.") || key.startsWith("trust.drift.") || key === "trust.noTokenUser" || key === "pipeline.reason.inactive");

/** The placeholders a message needs ({name}, {count, plural, …}): a text without one of them would show it raw. */
function placeholders(key: string): string[] {
  return [...en[key as MessageKey].matchAll(/\{\s*([A-Za-z_]\w*)/g)].map((m) => m[1]!);
}

/** A text of storable keys whose values are all there, each a string, a number or such a text: what another instance or a run may send. */
export function isStoredText(value: unknown): value is StoredText {
  if (typeof value !== "object" || value === null) return false;
  const { key, values } = value as { key?: unknown; values?: unknown };
  if (typeof key !== "string" || !storableKey(key)) return false;
  if (values !== undefined && (typeof values !== "object" || values === null || Array.isArray(values))) return false;
  const given = (values ?? {}) as Record<string, unknown>;
  if (!placeholders(key).every((name) => Object.hasOwn(given, name))) return false;
  return Object.values(given).every((v) => typeof v === "string" || typeof v === "number" || isStoredText(v));
}

/** What encodeStoredText wrote, or undefined when the column holds something else (or a text this version cannot word). */
export function tryDecodeStoredText(stored: string): StoredText | undefined {
  if (!stored.startsWith('{"key":')) return undefined;
  try {
    const parsed: unknown = JSON.parse(stored);
    return isStoredText(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A stored column back as a text: what encodeStoredText wrote, or anything else kept verbatim. */
export function decodeStoredText(stored: string): StoredText {
  return tryDecodeStoredText(stored) ?? verbatim(stored);
}

/** The text with every string value cut to `max` characters: a provider's error description is not ours to store at any length. */
export function clippedText(text: StoredText, max = 500): StoredText {
  if (!text.values) return text;
  const values: Record<string, string | number | StoredText> = {};
  for (const [name, value] of Object.entries(text.values)) values[name] = typeof value === "string" ? value.slice(0, max) : typeof value === "number" ? value : clippedText(value, max);
  return { key: text.key, values };
}
