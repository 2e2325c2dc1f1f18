import { useI18n } from "../i18n-context.tsx";

/** A record saved by someone else after this form was drawn: who, when, and what now differs from the form. */
export interface EditConflict {
  savedBy: string;
  savedOn: string;
  /** Fields (wire names) whose stored value differs from what the form holds, with that value. */
  differences: { field: string; stored: string }[];
}

/**
 * The conflict of a refused edit with the record as now stored, from both forms as the admin
 * reads them: the fields whose values differ, so the admin can see what the other save changed
 * (and what theirs would) before saving again.
 */
export function editConflict(record: { updatedBy: string; updatedOn: string }, submitted: Record<string, string>, stored: Record<string, string>): EditConflict {
  const differences = Object.keys(stored)
    .filter((field) => submitted[field] !== stored[field])
    .map((field) => ({ field, stored: stored[field]! }));
  return { savedBy: record.updatedBy, savedOn: record.updatedOn, differences };
}

/** Shown at the top of a refused edit; the form below keeps what the admin entered. */
export function EditConflictNotice(props: { conflict: EditConflict | undefined; labels: Record<string, string> }) {
  const { t, dateTime } = useI18n();
  if (!props.conflict) return null;
  const { savedBy, savedOn, differences } = props.conflict;
  return (
    <div class="alert alert-error" role="alert" tabindex={-1} id="edit-conflict">
      <p>
        <strong>{t("conflict.title")}</strong>
      </p>
      <p>{t("conflict.body", { user: savedBy, time: dateTime(savedOn) })}</p>
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
