import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import { type TokenListing, tokenStatus } from "../../../store/token-listing.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminShell, type Viewer } from "./admin-layout.tsx";
import { CsrfInput, Flash, instant, PageHeader } from "./components.tsx";

const typeLabels = { access_token: "Access", refresh_token: "Refresh" } as const;

export function tokensPage(props: { viewer: Viewer; tokens: TokenListing[]; clients: OAuthClient[]; clientSysId: string | undefined; flash?: string | undefined; limit: number }): string {
  const selected = props.clients.find((c) => c.sysId === props.clientSysId);
  const now = Date.now();
  return renderPage(
    <AdminShell title="Manage Tokens" active="tokens" viewer={props.viewer}>
      <PageHeader title="Manage Tokens" />
      <p class="muted">Tokens this instance issued. The tokens themselves are never stored or shown: only their hashes are kept, and those stay inside the database.</p>
      <Flash message={props.flash} />
      <form method="get" action={adminPaths.tokens} class="filter">
        <label for="client">Client</label>
        <select id="client" name="client">
          <option value="">All clients</option>
          {props.clients.map((c) => (
            <option value={c.sysId} selected={c.sysId === props.clientSysId}>
              {c.name}
            </option>
          ))}
        </select>
        <button type="submit" class="btn">
          Show
        </button>
      </form>
      {selected ? (
        <form method="post" action={adminPaths.tokensRevokeClient} class="danger-zone">
          <CsrfInput token={props.viewer.csrfToken} />
          <input type="hidden" name="client" value={selected.sysId} />
          <p>
            Revoke every live token of <strong>{selected.name}</strong>. Its users and systems must authorize again.
          </p>
          <button type="submit" class="btn btn-danger">
            Revoke all tokens of this client
          </button>
        </form>
      ) : null}
      {props.tokens.length === 0 ? (
        <p class="empty">No tokens{selected ? ` for ${selected.name}` : ""}.</p>
      ) : (
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">User</th>
                <th scope="col">Type</th>
                <th scope="col">Issued (UTC)</th>
                <th scope="col">Expires (UTC)</th>
                <th scope="col">Revoked (UTC)</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => {
                const status = tokenStatus(t, now);
                return (
                  <tr>
                    <td>
                      <a href={adminPaths.registryRecord(t.clientSysId)}>{t.clientName}</a>
                    </td>
                    <td>{t.userName ?? <span class="muted">(client only)</span>}</td>
                    <td>{typeLabels[t.type]}</td>
                    <td class="nowrap">{t.issuedOn}</td>
                    <td class="nowrap">{instant(t.expiresAt)}</td>
                    <td class="nowrap">{t.revokedAt === null ? "" : instant(t.revokedAt)}</td>
                    <td>
                      <span class={`pill pill-${status}`}>{status}</span>
                    </td>
                    <td>
                      {status === "live" ? (
                        <form method="post" action={adminPaths.tokenRevoke(t.sysId)}>
                          <CsrfInput token={props.viewer.csrfToken} />
                          <button type="submit" class="btn btn-small btn-danger-quiet" aria-label={`Revoke ${typeLabels[t.type].toLowerCase()} token of ${t.clientName} issued ${t.issuedOn}`}>
                            Revoke
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {props.tokens.length === props.limit ? <p class="muted small">Showing the newest {props.limit} tokens.</p> : null}
    </AdminShell>,
  );
}
