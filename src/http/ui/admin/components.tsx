import type { ComponentChildren } from "preact";
import { type FieldIssue, issueText } from "../../../domain/validation.ts";
import type { Translator } from "../../../i18n/translator.ts";
import { useI18n } from "../i18n-context.tsx";

/** Field errors keyed by the form field they belong to; issues on nested paths go to their first segment. */
export type FieldErrors = Record<string, string[]>;

export function fieldErrors(issues: readonly FieldIssue[], i18n: Translator): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.field.split(".")[0] || "_form";
    (out[field] ??= []).push(issueText(issue, i18n));
  }
  return out;
}

export function CsrfInput(props: { token: string }) {
  return <input type="hidden" name="csrf_token" value={props.token} />;
}

/**
 * The hidden fields of every admin form: the session's CSRF token, and the page the form is on.
 * A form posted after its session ended is not carried out; signing in again comes back to
 * that page (admin-session.ts), so the admin sees it again instead of the overview.
 */
export function AdminFormFields(props: { viewer: { csrfToken: string; path: string } }) {
  return (
    <>
      <input type="hidden" name="csrf_token" value={props.viewer.csrfToken} />
      <input type="hidden" name="from" value={props.viewer.path} />
    </>
  );
}

/** Errors shown under a field and tied to it for screen readers via aria-describedby. */
export function FieldError(props: { id: string; messages: string[] | undefined }) {
  const { t } = useI18n();
  if (!props.messages?.length) return null;
  return (
    <p class="field-error" id={`${props.id}-error`}>
      {props.messages.join(t("errors.messageSeparator"))}
    </p>
  );
}

export function describedBy(id: string, errors: FieldErrors, field: string, hint?: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : "", errors[field]?.length ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/**
 * The form's problems above it, each linked to its field. `labels` is given in the form's own
 * order, and the list follows it: the issues come in the order the checks ran, which a reader
 * going down the form would find jumbled. A problem of no labelled field (the whole form) leads.
 */
export function ErrorSummary(props: { errors: FieldErrors; labels: Record<string, string> }) {
  const { t } = useI18n();
  const order = Object.keys(props.labels);
  const place = (field: string) => order.indexOf(field);
  const entries = Object.entries(props.errors).sort(([a], [b]) => place(a) - place(b));
  if (entries.length === 0) return null;
  return (
    <div class="alert alert-error" role="alert" tabindex={-1} id="error-summary">
      <p>
        <strong>{t("errors.summary", { count: entries.length })}</strong>
      </p>
      <ul>
        {entries.map(([field, messages]) => (
          <li>
            {props.labels[field] ? (
              <>
                <a href={`#${field}`}>{props.labels[field]}</a>
                {t("errors.labelSeparator")}
              </>
            ) : null}
            {messages.join(t("errors.messageSeparator"))}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Flash(props: { message: string | undefined }) {
  if (!props.message) return null;
  return (
    <div class="alert alert-ok" role="status">
      {props.message}
    </div>
  );
}

export function PageHeader(props: { title: string; crumbs?: { href: string; label: string }[]; children?: ComponentChildren }) {
  const { t } = useI18n();
  return (
    <div class="page-header">
      <div>
        {props.crumbs?.length ? (
          <nav class="crumbs" aria-label={t("common.breadcrumb")}>
            {props.crumbs.map((c) => (
              <>
                <a href={c.href}>{c.label}</a>
                <span aria-hidden="true"> / </span>
              </>
            ))}
          </nav>
        ) : null}
        <h1>{props.title}</h1>
      </div>
      {props.children ? <div class="page-actions">{props.children}</div> : null}
    </div>
  );
}

export function YesNo(props: { value: boolean }) {
  const { t } = useI18n();
  return <span class={props.value ? "pill pill-yes" : "pill pill-no"}>{t(props.value ? "common.true" : "common.false")}</span>;
}

/** A time in a table cell that may wrap only between its date and its time, so a narrow column takes two lines, never a cut date. */
export function WrappingDateTime(props: { value: string | number }) {
  const { date, time } = useI18n().dateTimeParts(props.value);
  return (
    <>
      <span class="nowrap">{date}</span> <span class="nowrap">{time}</span>
    </>
  );
}
