import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { translator, type Translator } from "../../i18n/translator.ts";

/** The page's language for components deep in the tree; pages provide it through their document. */
export const I18nContext = createContext<Translator>(translator("en"));

export function useI18n(): Translator {
  return useContext(I18nContext);
}
