import { ConfigError } from "../config.ts";
import { translator } from "../i18n/translator.ts";
import type { LocalText } from "../i18n/translator.ts";

/** A ConfigError whose English message and localisable text come from one catalog entry. */
export function localConfigError(text: LocalText): ConfigError {
  return new ConfigError(translator("en").t(text.key, text.values), text);
}
