import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import type { RegistryQuery, RegistrySortKey } from "../../../store/client-search.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import type { MessageKey } from "../../../i18n/translator.ts";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { Flash, PageHeader, YesNo } from "./components.tsx";
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

export function registryListPage(props: { viewer: Viewer; clients: OAuthClient[]; providers: ProviderListing[]; query: RegistryQuery; flash?: string | undefined }): string {
  const { query } = props;
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
        {query.text ? t("registry.countMatching", { count: props.clients.length, text: query.text }) : t("registry.count", { count: props.clients.length })}
      </p>
      {props.clients.length === 0 ? (
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
              {props.clients.map((client) => (
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
      <ProviderTable providers={props.providers} />
    </AdminShell>,
  );
}
