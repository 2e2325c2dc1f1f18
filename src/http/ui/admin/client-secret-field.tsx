import { adminPaths } from "../../admin/admin-paths.ts";
import { useI18n } from "../i18n-context.tsx";

/** Shown in full only right after it was generated; afterwards only its existence is shown. */
export function ClientSecretField(props: { recordSysId: string | null; publicClient: boolean; freshSecret: string | undefined }) {
  const { t } = useI18n();
  if (props.recordSysId === null) {
    return (
      <div class="field">
        <span class="label">{t("field.clientSecret")}</span>
        <p class="readonly-value muted">{t("secret.newHint")}</p>
      </div>
    );
  }
  if (props.publicClient) {
    return (
      <div class="field">
        <span class="label">{t("field.clientSecret")}</span>
        <p class="readonly-value muted">{t("secret.publicHint")}</p>
      </div>
    );
  }
  return (
    <div class="field">
      <label for="client_secret">{t("field.clientSecret")}</label>
      {props.freshSecret ? (
        <>
          <div class="secret-row">
            <input type="text" id="client_secret" readonly value={props.freshSecret} class="mono" aria-describedby="client_secret-hint" />
            <button type="button" class="btn btn-small" data-copy="client_secret" data-text-copied={t("secret.copied")} data-text-press={t("secret.pressCopy")} hidden>
              {t("secret.copy")}
            </button>
          </div>
          <p class="hint hint-warn" id="client_secret-hint" role="status">
            {t("secret.copyNow")}
          </p>
        </>
      ) : (
        <div class="secret-row">
          <input type="password" id="client_secret" readonly value="••••••••••••••••" aria-describedby="client_secret-hint" />
          <a class="btn btn-small btn-quiet" href={adminPaths.registryRegenerate(props.recordSysId)}>
            {t("secret.regenerate")}
          </a>
        </div>
      )}
      {props.freshSecret ? null : (
        <p class="hint" id="client_secret-hint">
          {t("secret.storedHint")}
        </p>
      )}
    </div>
  );
}
