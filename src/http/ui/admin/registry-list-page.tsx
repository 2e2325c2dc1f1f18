import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import type { RegistryQuery, RegistrySortKey } from "../../../store/client-search.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { Flash, PageHeader, YesNo } from "./components.tsx";

const columns: { key: RegistrySortKey; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "type", label: "Type" },
  { key: "client_id", label: "Client ID" },
  { key: "active", label: "Active" },
  { key: "redirect_url", label: "Redirect URLs" },
  { key: "sys_updated_on", label: "Updated" },
];

function sortLink(query: RegistryQuery, key: RegistrySortKey): string {
  const direction = query.sort === key && query.direction === "asc" ? "desc" : "asc";
  return `${adminPaths.registry}?${new URLSearchParams({ ...(query.text ? { q: query.text } : {}), sort: key, dir: direction })}`;
}

export function registryListPage(props: { viewer: Viewer; clients: OAuthClient[]; query: RegistryQuery; flash?: string | undefined }): string {
  const { query } = props;
  return renderPage(
    <AdminShell title="Application Registry" active="registry" viewer={props.viewer}>
      <PageHeader title="Application Registry">
        <a class="btn btn-primary" href={adminPaths.registryNew}>
          New
        </a>
      </PageHeader>
      <Flash message={props.flash} />
      <form method="get" action={adminPaths.registry} class="filter" role="search">
        <label for="q" class="visually-hidden">
          Filter by name, client ID or redirect URL
        </label>
        <input type="search" id="q" name="q" value={query.text} placeholder="Filter by name, client ID or redirect URL" />
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.direction} />
        <button type="submit" class="btn">
          Filter
        </button>
        {query.text ? (
          <a class="btn btn-quiet" href={adminPaths.registry}>
            Clear
          </a>
        ) : null}
      </form>
      <p class="count" role="status">
        {props.clients.length} {props.clients.length === 1 ? "record" : "records"}
        {query.text ? ` matching “${query.text}”` : ""}
      </p>
      {props.clients.length === 0 ? (
        <p class="empty">{query.text ? "No records match the filter." : "No OAuth applications yet. Select New to create one."}</p>
      ) : (
        <div class="table-wrap">
          <table class="list registry">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col" aria-sort={query.sort === c.key ? (query.direction === "asc" ? "ascending" : "descending") : undefined}>
                    <a href={sortLink(query, c.key)}>
                      {c.label}
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
                  <td title="OAuth API endpoint for external clients">
                    OAuth API endpoint
                  </td>
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
                  <td class="updated">{client.updatedOn}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminShell>,
  );
}
