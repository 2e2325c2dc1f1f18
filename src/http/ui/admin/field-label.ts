import { en } from "../../../i18n/catalogs/en.ts";
import type { MessageKey, Translator } from "../../../i18n/translator.ts";

const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);

/**
 * A record's field as the reader's language labels it (en-field-labels.ts): the table's own
 * label, else one any table's records share (an attachment). A field no catalog names (a custom
 * table's, or one an older version wrote) keeps its column name, which is still what it is.
 */
export function fieldLabel(t: Translator["t"], tablename: string, fieldname: string): string {
  for (const key of [`fieldLabel.${tablename}.${fieldname}`, `fieldLabel.*.${fieldname}`]) if (isMessageKey(key)) return t(key);
  return fieldname;
}
