import { type ListQuery, listPageSize } from "../../../store/numbered-page.ts";
import { useI18n } from "../i18n-context.tsx";

/**
 * The controls of a list shown a page at a time (Application Registry, Users): the filter, the
 * sortable column headings and the pager. Every one is a plain link or a GET form, so a view can
 * be bookmarked, and each keeps the rest of the view: the filter survives a sort, and the filter
 * and the sort survive turning a page.
 */
export function listHref<SortKey extends string>(path: string, query: ListQuery<SortKey>, change: { sort?: SortKey; direction?: "asc" | "desc"; page?: number }): string {
  const params = new URLSearchParams({ ...(query.text ? { q: query.text } : {}), sort: change.sort ?? query.sort, dir: change.direction ?? query.direction });
  if (change.page !== undefined) params.set("page", String(change.page));
  return `${path}?${params}`;
}

export function ListFilter<SortKey extends string>(props: { path: string; query: ListQuery<SortKey>; label: string }) {
  const { t } = useI18n();
  const { query } = props;
  return (
    <form method="get" action={props.path} class="filter" role="search">
      <label for="q" class="visually-hidden">
        {props.label}
      </label>
      <input type="search" id="q" name="q" value={query.text} placeholder={props.label} />
      <input type="hidden" name="sort" value={query.sort} />
      <input type="hidden" name="dir" value={query.direction} />
      <button type="submit" class="btn">
        {t("list.filter")}
      </button>
      {query.text ? (
        <a class="btn btn-quiet" href={props.path}>
          {t("list.clear")}
        </a>
      ) : null}
    </form>
  );
}

/** A column heading that sorts by its column, and the other way round when it already does. */
export function SortableHeading<SortKey extends string>(props: { path: string; query: ListQuery<SortKey>; sortKey: SortKey; label: string }) {
  const { query, sortKey } = props;
  const sorted = query.sort === sortKey;
  const direction = sorted && query.direction === "asc" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={sorted ? (query.direction === "asc" ? "ascending" : "descending") : undefined}>
      <a href={listHref(props.path, query, { sort: sortKey, direction })}>
        {props.label}
        {sorted ? <span aria-hidden="true">{query.direction === "asc" ? " ▲" : " ▼"}</span> : null}
      </a>
    </th>
  );
}

/** Which rows are shown out of how many, named as the list names them (`range`), with the pages either side; nothing when all fit on one. */
export function NumberedPager<SortKey extends string>(props: { path: string; query: ListQuery<SortKey>; total: number; range: "registry.range" | "users.range" }) {
  const { t } = useI18n();
  const { page } = props.query;
  const last = Math.ceil(props.total / listPageSize);
  if (last <= 1) return null;
  const first = (page - 1) * listPageSize + 1;
  return (
    <nav class="pager" aria-label={t("list.pages")}>
      <span>{t(props.range, { first, last: Math.min(page * listPageSize, props.total), total: props.total })}</span>
      {page > 1 ? (
        <a class="btn btn-small" rel="prev" href={listHref(props.path, props.query, { page: page - 1 })}>
          {t("list.previous")}
        </a>
      ) : null}
      {page < last ? (
        <a class="btn btn-small" rel="next" href={listHref(props.path, props.query, { page: page + 1 })}>
          {t("list.next")}
        </a>
      ) : null}
    </nav>
  );
}
