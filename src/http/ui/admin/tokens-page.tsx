import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import { type TokenListing, tokenStatus } from "../../../store/token-listing.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { RichText } from "../rich-text.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { Flash, PageHeader, WrappingDateTime } from "./components.tsx";
import { OlderPager } from "./older-pager.tsx";


export function tokensPage(props: {
  viewer: Viewer;
  tokens: TokenListing[];
  clients: OAuthClient[];
  clientSysId: string | undefined;
  /** The page shown (client filter, older cursor): a revoke carries it, and comes back to it. */
  listFields: Record<string, string>;
  flash?: string | undefined;
  limit: number;
  pages: { olderHref: string | undefined; newestHref: string | undefined };
  olderPage: boolean;
}): string {
  const selected = props.clients.find((c) => c.sysId === props.clientSysId);
  const now = Date.now();
  const { t, dateTime } = props.viewer.i18n;
  const listQuery = new URLSearchParams(props.listFields).toString();
  const revokeHref = (sysId: string) => adminPaths.tokenRevoke(sysId) + (listQuery ? `?${listQuery}` : "");
  return renderPage(
    <AdminShell title={t("tokens.title")} active="tokens" viewer={props.viewer}>
      <PageHeader title={t("tokens.title")} />
      <p class="muted">{t("tokens.lead")}</p>
      <Flash message={props.flash} />
      <form method="get" action={adminPaths.tokens} class="filter">
        <label for="client">{t("tokens.client")}</label>
        <select id="client" name="client">
          <option value="">{t("tokens.allClients")}</option>
          {props.clients.map((c) => (
            <option value={c.sysId} selected={c.sysId === props.clientSysId}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="submit" class="btn">
          {t("tokens.show")}
        </button>
      </form>
      {selected ? (
        <div class="danger-zone">
          <p>
            <RichText format={(v) => t("tokens.revokeAllText", v)} elements={{ client: <strong>{selected.name}</strong> }} />
          </p>
          {/* A link to the confirmation: one press must not end every integration of the client. */}
          <a class="btn btn-danger" href={`${adminPaths.tokensRevokeClient}?${new URLSearchParams({ client: selected.sysId })}`}>
            {t("tokens.revokeAll")}
          </a>
        </div>
      ) : null}
      {props.tokens.length === 0 ? (
        <p class="empty">{selected ? t("tokens.noneFor", { client: selected.name }) : t("tokens.none")}</p>
      ) : (
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{t("tokens.client")}</th>
                <th scope="col">{t("tokens.user")}</th>
                <th scope="col">{t("tokens.type")}</th>
                <th scope="col">{t("tokens.issued")}</th>
                <th scope="col">{t("tokens.expires")}</th>
                <th scope="col">{t("tokens.revoked")}</th>
                <th scope="col">{t("tokens.status")}</th>
                <th scope="col">
                  <span class="visually-hidden">{t("tokens.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((token) => {
                const status = tokenStatus(token, now);
                return (
                  <tr>
                    <td class="name">
                      <a href={adminPaths.registryRecord(token.clientSysId)}>{token.clientName}</a>
                    </td>
                    <td>{token.userName ?? <span class="muted">{t("tokens.clientOnly")}</span>}</td>
                    <td class="nowrap">{t(`tokens.type.${token.type}`)}</td>
                    <td>
                      <WrappingDateTime value={token.issuedOn} />
                    </td>
                    <td>
                      <WrappingDateTime value={token.expiresAt} />
                    </td>
                    <td>{token.revokedAt === null ? "" : <WrappingDateTime value={token.revokedAt} />}</td>
                    <td>
                      <span class={`pill pill-${status}`}>{t(`tokens.status.${status}`)}</span>
                    </td>
                    <td>
                      {status === "live" ? (
                        // A link to the confirmation, which names the token: one press must not end an integration.
                        <a
                          class="btn btn-small btn-danger-quiet"
                          href={revokeHref(token.sysId)}
                          aria-label={t("tokens.revokeLabel", { type: t(`tokens.type.${token.type}`).toLowerCase(), client: token.clientName, issued: dateTime(token.issuedOn) })}
                        >
                          {t("tokens.revoke")}
                        </a>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <OlderPager note={props.olderPage ? undefined : t("tokens.newest", { count: props.limit })} {...props.pages} />
    </AdminShell>,
  );
}
