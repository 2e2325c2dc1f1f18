import { type RegistryPage, registryPageSize, type RegistryQuery, type RegistrySortKey } from "../../../store/client-search.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import type { MessageKey } from "../../../i18n/translator.ts";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { Flash, PageHeader, YesNo } from "./components.tsx";
import { useI18n } from "../i18n-context.tsx";
import { type ProviderListing, ProviderTable } from "./provider-pages.tsx";

const columns: { key: RegistrySortKey; label: MessageKey }[] = [
  { key: "name", label: "field.name" },
  { key: "type", label: "registry.col.type" },
  { key: "client_id", label: "field.clientId" },
  { key: "active", label: "field.active" },
  { key: "redirect_url", label: "field.redirectUrls" },
  { key: "sys_updated_on", label: "registry.col.updated" },
];

function sortLink(query: RegistryQuery, key: RegistrySortKey): string {
  const direction = query.sort === key && query.direction === "asc" ? "desc" : "asc";
  return `${adminPaths.registry}?${new URLSearchParams({ ...(query.text ? { q: query.text } : {}), sort: key, dir: direction })}`;
}

/** Another page of the same view: the filter and the sort stay. */
function pageLink(query: RegistryQuery, page: number): string {
  return `${adminPaths.registry}?${new URLSearchParams({ ...(query.text ? { q: query.text } : {}), sort: query.sort, dir: query.direction, page: String(page) })}`;
}

function Pager(props: { query: RegistryQuery; total: number }) {
  const { t } = useI18n();
  const { page } = props.query;
  const last = Math.ceil(props.total / registryPageSize);
  if (last <= 1) return null;
  const first = (page - 1) * registryPageSize + 1;
  return (
    <nav class="pager" aria-label={t("registry.pages")}>
      <span>{t("registry.range", { first, last: Math.min(page * registryPageSize, props.total), total: props.total })}</span>
      {page > 1 ? (
        <a class="btn btn-small" rel="prev" href={pageLink(props.query, page - 1)}>
          {t("registry.previous")}
        </a>
      ) : null}
      {page < last ? (
        <a class="btn btn-small" rel="next" href={pageLink(props.query, page + 1)}>
          {t("registry.next")}
        </a>
      ) : null}
    </nav>
  );
}

export function registryListPage(props: { viewer: Viewer; found: RegistryPage; providers: ProviderListing[]; query: RegistryQuery; flash?: string | undefined }): string {
  const { query } = props;
  const { clients, total } = props.found;
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={t("registry.title")} active="registry" viewer={props.viewer}>
      <PageHeader title={t("registry.title")}>
        <a class="btn btn-primary" href={adminPaths.registryNew}>
          {t("registry.new")}
        </a>
      </PageHeader>
      <Flash message={props.flash} />
      <form method="get" action={adminPaths.registry} class="filter" role="search">
        <label for="q" class="visually-hidden">
          {t("registry.filterLabel")}
        </label>
        <input type="search" id="q" name="q" value={query.text} placeholder={t("registry.filterLabel")} />
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.direction} />
        <button type="submit" class="btn">
          {t("registry.filter")}
        </button>
        {query.text ? (
          <a class="btn btn-quiet" href={adminPaths.registry}>
            {t("registry.clear")}
          </a>
        ) : null}
      </form>
      <p class="count" role="status">
        {query.text ? t("registry.countMatching", { count: total, text: query.text }) : t("registry.count", { count: total })}
      </p>
      {clients.length === 0 ? (
        <p class="empty">{t(query.text ? "registry.noMatch" : "registry.empty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="list registry">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col" aria-sort={query.sort === c.key ? (query.direction === "asc" ? "ascending" : "descending") : undefined}>
                    <a href={sortLink(query, c.key)}>
                      {t(c.label)}
                      {query.sort === c.key ? <span aria-hidden="true">{query.direction === "asc" ? " ▲" : " ▼"}</span> : null}
                    </a>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <tr>
                  <td>
                    <a href={adminPaths.registryRecord(client.sysId)}>{client.name}</a>
                  </td>
                  <td title={t("registry.typeLong")}>{t("registry.typeShort")}</td>
                  <td class="mono">{client.clientId}</td>
                  <td>
                    <YesNo value={client.active} />
                  </td>
                  <td class="urls">
                    {/* The platform's joined form, one URL to a line so each stays readable. */}
                    {client.redirectUrls.map((url, index) => (
                      <span class="url">
                        {url}
                        {index < client.redirectUrls.length - 1 ? ", " : ""}
                      </span>
                    ))}
                  </td>
                  <td class="updated">{props.viewer.i18n.dateTime(client.updatedOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager query={query} total={total} />
      <ProviderTable providers={props.providers} />
    </AdminShell>,
  );
}
