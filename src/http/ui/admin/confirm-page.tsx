import type { ComponentChildren } from "preact";
import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import type { OAuthProvider } from "../../../domain/oauth-provider.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { RichText } from "../rich-text.tsx";
import { AdminShell, type NavKey, type Viewer } from "./admin-layout.tsx";
import { CsrfInput, PageHeader } from "./components.tsx";

/** What a confirmation asks, and the one form that does it. */
export interface Confirmation {
  pageTitle: string;
  title: string;
  crumbs: { href: string; label: string }[];
  warning: ComponentChildren;
  action: string;
  /** Hidden fields the action needs besides the CSRF token. */
  fields?: Record<string, string>;
  submitLabel: string;
  cancelHref: string;
}

/**
 * The step between a button and an action that cannot be undone: a page of its own (GET, so
 * nothing changes), saying what will be lost, with the action and a way back. Without
 * JavaScript and for a screen reader alike, it is one more page, not a dialog.
 */
export function confirmPage(props: { viewer: Viewer; active: NavKey; confirmation: Confirmation }): string {
  const { confirmation } = props;
  const { t } = props.viewer.i18n;
  return renderPage(
    <AdminShell title={confirmation.pageTitle} active={props.active} viewer={props.viewer}>
      <PageHeader title={confirmation.title} crumbs={confirmation.crumbs} />
      <div class="alert alert-warn" role="alert">
        {confirmation.warning}
      </div>
      <form method="post" action={confirmation.action} class="form-actions">
        <CsrfInput token={props.viewer.csrfToken} />
        {Object.entries(confirmation.fields ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" class="btn btn-danger">
          {confirmation.submitLabel}
        </button>
        <a class="btn btn-quiet" href={confirmation.cancelHref}>
          {t("common.cancel")}
        </a>
      </form>
    </AdminShell>,
  );
}

/** Deleting a provider: its stored token goes too, and the record cannot be brought back. */
export function providerDeletePage(props: { viewer: Viewer; provider: OAuthProvider }): string {
  const { provider } = props;
  const { t } = props.viewer.i18n;
  return confirmPage({
    viewer: props.viewer,
    active: "registry",
    confirmation: {
      pageTitle: t("provider.delete.pageTitle", { name: provider.name }),
      title: t("provider.delete.confirmTitle"),
      crumbs: [
        { href: adminPaths.registry, label: t("registry.title") },
        { href: adminPaths.provider(provider.sysId), label: provider.name },
      ],
      warning: <RichText format={(v) => t("provider.delete.warning", v)} elements={{ name: <strong>{provider.name}</strong> }} />,
      action: adminPaths.providerDelete(provider.sysId),
      submitLabel: t("provider.delete.button"),
      cancelHref: adminPaths.provider(provider.sysId),
    },
  });
}

/** Deleting an OAuth API endpoint: its tokens and codes go with it, and its client ID stops working. */
export function clientDeletePage(props: { viewer: Viewer; client: OAuthClient }): string {
  const { client } = props;
  const { t } = props.viewer.i18n;
  return confirmPage({
    viewer: props.viewer,
    active: "registry",
    confirmation: {
      pageTitle: t("registry.delete.pageTitle", { name: client.name }),
      title: t("registry.delete.confirmTitle"),
      crumbs: [
        { href: adminPaths.registry, label: t("registry.title") },
        { href: adminPaths.registryRecord(client.sysId), label: client.name },
      ],
      warning: <RichText format={(v) => t("registry.delete.warning", v)} elements={{ name: <strong>{client.name}</strong> }} />,
      action: adminPaths.registryDelete(client.sysId),
      submitLabel: t("registry.delete.button"),
      cancelHref: adminPaths.registryRecord(client.sysId),
    },
  });
}

/** Revoking every live token of a client: each system that uses one must be authorized again. */
export function revokeAllTokensPage(props: { viewer: Viewer; client: OAuthClient }): string {
  const { client } = props;
  const { t } = props.viewer.i18n;
  const back = `${adminPaths.tokens}?client=${client.sysId}`;
  return confirmPage({
    viewer: props.viewer,
    active: "tokens",
    confirmation: {
      pageTitle: t("tokens.revokeAll.pageTitle", { client: client.name }),
      title: t("tokens.revokeAll.confirmTitle"),
      crumbs: [{ href: back, label: t("tokens.title") }],
      warning: <RichText format={(v) => t("tokens.revokeAllText", v)} elements={{ client: <strong>{client.name}</strong> }} />,
      action: adminPaths.tokensRevokeClient,
      fields: { client: client.sysId },
      submitLabel: t("tokens.revokeAll"),
      cancelHref: back,
    },
  });
}
