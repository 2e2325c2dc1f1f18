import { useI18n } from "../i18n-context.tsx";

/** A record saved by someone else after this form was drawn: who, when, and what now differs from the form. */
export interface EditConflict {
  savedBy: string;
  savedOn: string;
  /** Fields (wire names) whose stored value differs from what the form holds, with that value. */
  differences: { field: string; stored: string }[];
}

/**
 * Values of two forms as the admin reads them, for the fields whose values differ: the edit
 * being refused and the record as now stored, so the admin can see what the other save changed
 * (and what theirs would) before saving again.
 */
export function formDifferences(submitted: Record<string, string>, stored: Record<string, string>): EditConflict["differences"] {
  return Object.keys(stored)
    .filter((field) => submitted[field] !== stored[field])
    .map((field) => ({ field, stored: stored[field]! }));
}

/** Shown at the top of a refused edit; the form below keeps what the admin entered. */
export function EditConflictNotice(props: { conflict: EditConflict | undefined; labels: Record<string, string> }) {
  const { t } = useI18n();
  if (!props.conflict) return null;
  const { savedBy, savedOn, differences } = props.conflict;
  return (
    <div class="alert alert-error" role="alert" tabindex={-1} id="edit-conflict">
      <p>
        <strong>{t("conflict.title")}</strong>
      </p>
      <p>{t("conflict.body", { user: savedBy, time: savedOn })}</p>
      {differences.length ? (
        <>
          <p>{t("conflict.differences")}</p>
          <ul>
            {differences.map((d) => (
              <li>
                <a href={`#${d.field}`}>{props.labels[d.field] ?? d.field}</a>: {d.stored === "" ? <em>{t("conflict.empty")}</em> : d.stored}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function VersionInput(props: { version: number | undefined }) {
  return props.version === undefined ? null : <input type="hidden" name="sys_mod_count" value={String(props.version)} />;
}
