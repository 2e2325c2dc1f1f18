import type { RegistryPage, RegistryQuery, RegistrySortKey } from "../../../store/client-search.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import type { MessageKey } from "../../../i18n/translator.ts";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { Flash, PageHeader, YesNo } from "./components.tsx";
import { ListFilter, NumberedPager, SortableHeading } from "./list-controls.tsx";
import { type ProviderListing, ProviderTable } from "./provider-pages.tsx";

const columns: { key: RegistrySortKey; label: MessageKey }[] = [
  { key: "name", label: "field.name" },
  { key: "type", label: "registry.col.type" },
  { key: "client_id", label: "field.clientId" },
  { key: "active", label: "field.active" },
  { key: "redirect_url", label: "field.redirectUrls" },
  { key: "sys_updated_on", label: "registry.col.updated" },
];

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
      <ListFilter path={adminPaths.registry} query={query} label={t("registry.filterLabel")} />
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
                  <SortableHeading path={adminPaths.registry} query={query} sortKey={c.key} label={t(c.label)} />
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
      <NumberedPager path={adminPaths.registry} query={query} total={total} range="registry.range" />
      <ProviderTable providers={props.providers} text={query.text} />
    </AdminShell>,
  );
}
