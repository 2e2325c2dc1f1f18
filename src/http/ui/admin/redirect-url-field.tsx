import { useI18n } from "../i18n-context.tsx";
import { describedBy, FieldError, type FieldErrors } from "./components.tsx";

/** A padlock drawn inline (no icon font to load); CSS opens its shackle while the field is unlocked. */
function LockIcon() {
  return (
    <svg class="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path class="shackle" d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.6" />
      <rect x="3" y="7" width="10" height="7.5" rx="1.5" fill="currentColor" />
    </svg>
  );
}

/**
 * The platform's lockable list field. Locked, it shows the URLs joined by a comma and a space
 * and carries them as hidden inputs; unlocked, one text input per URL plus an empty row.
 * The lock and "add a row" buttons are submit buttons, so the form works without JavaScript:
 * the server renders it again with what was typed. admin.js makes the same switch instantly.
 */
export function RedirectUrlField(props: { urls: string[]; locked: boolean; errors: FieldErrors }) {
  const { t } = useI18n();
  const rows = props.locked ? props.urls : [...props.urls, ""];
  const joined = props.urls.join(", ");
  return (
    <div
      class="field lockable"
      data-lockable=""
      data-locked={props.locked ? "true" : "false"}
      id="redirect_url"
      data-text-lock={t("redirect.lock")}
      data-text-unlock={t("redirect.unlock")}
      data-text-none={t("redirect.none")}
      data-text-row={t("redirect.rowLabel", { index: "{index}" })}
    >
      <div class="lockable-head">
        <span class="label" id="redirect_url-label">
          {t("field.redirectUrls")}
        </span>
        <button
          type="submit"
          name="_action"
          value={props.locked ? "unlock" : "lock"}
          class="btn btn-small btn-quiet lock-toggle"
          data-lock-toggle=""
          aria-controls="redirect_url"
          aria-describedby="redirect_url-label"
        >
          <LockIcon />
          <span data-lock-label="">{t(props.locked ? "redirect.unlock" : "redirect.lock")}</span>
        </button>
      </div>
      <input type="hidden" name="redirect_locked" value={props.locked ? "true" : "false"} data-lock-state="" />
      <p class="locked-view" data-locked-view="" hidden={!props.locked} aria-labelledby="redirect_url-label" aria-describedby={describedBy("redirect_url", props.errors, "redirect_url")}>
        {joined || <span class="muted">{t("redirect.none")}</span>}
      </p>
      <ol class="url-rows" data-url-rows="" hidden={props.locked}>
        {rows.map((url, index) =>
          props.locked ? (
            <li>
              {/* Labelled while hidden too: admin.js unlocks by turning these inputs into text fields in place. */}
              <label class="visually-hidden" for={`redirect_url_${index}`}>{t("redirect.rowLabel", { index: index + 1 })}</label>
              <input type="hidden" id={`redirect_url_${index}`} name="redirect_url" value={url} />
            </li>
          ) : (
            <li>
              <label class="visually-hidden" for={`redirect_url_${index}`}>{t("redirect.rowLabel", { index: index + 1 })}</label>
              <input
                type="text"
                inputmode="url"
                id={`redirect_url_${index}`}
                name="redirect_url"
                value={url}
                placeholder="https://instance.example/oauth_redirect.do"
                aria-describedby={describedBy("redirect_url", props.errors, "redirect_url", true)}
              />
            </li>
          ),
        )}
      </ol>
      <div class="url-row-actions" data-unlocked-only="" hidden={props.locked}>
        <button type="submit" name="_action" value="add_row" class="btn btn-small btn-quiet" data-add-row="">
          {t("redirect.addRow")}
        </button>
      </div>
      <p class="hint" id="redirect_url-hint">
        {t("redirect.hint")}
      </p>
      <FieldError id="redirect_url" messages={props.errors.redirect_url} />
    </div>
  );
}
