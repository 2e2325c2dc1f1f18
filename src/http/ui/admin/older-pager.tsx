import { useI18n } from "../i18n-context.tsx";

/**
 * Under a newest-first list that stops at a page's worth (tokens, audit): the way to the rows
 * before them, and back to the newest. Without it, everything past the first page could not be
 * seen at all.
 */
export function OlderPager(props: { note: string | undefined; olderHref: string | undefined; newestHref: string | undefined }) {
  const { t } = useI18n();
  if (!props.olderHref && !props.newestHref) return null;
  return (
    <nav class="pager" aria-label={t("list.pages")}>
      <span>{props.note}</span>
      {props.newestHref ? (
        <a class="btn btn-small" href={props.newestHref}>
          {t("list.newest")}
        </a>
      ) : null}
      {props.olderHref ? (
        <a class="btn btn-small" rel="next" href={props.olderHref}>
          {t("list.older")}
        </a>
      ) : null}
    </nav>
  );
}
