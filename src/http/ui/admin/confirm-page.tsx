import type { ComponentChildren } from "preact";
import type { OAuthClient } from "../../../domain/oauth-entity.ts";
import type { OAuthProvider } from "../../../domain/oauth-provider.ts";
import type { TokenListing } from "../../../store/token-listing.ts";
import type { UserListing } from "../../../store/user-admin-store.ts";
import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { RichText } from "../rich-text.tsx";
import { AdminShell, type NavKey, type Viewer } from "./admin-layout.tsx";
import { AdminFormFields, PageHeader } from "./components.tsx";

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
        <AdminFormFields viewer={props.viewer} />
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

/** Deleting an Application Registry record: what goes with it is in its kind's warning, and it cannot be brought back. */
function recordDeletePage(props: { viewer: Viewer; kind: "provider" | "registry"; name: string; recordHref: string; action: string }): string {
  const { t } = props.viewer.i18n;
  return confirmPage({
    viewer: props.viewer,
    active: "registry",
    confirmation: {
      pageTitle: t(`${props.kind}.delete.pageTitle`, { name: props.name }),
      title: t(`${props.kind}.delete.confirmTitle`),
      crumbs: [
        { href: adminPaths.registry, label: t("registry.title") },
        { href: props.recordHref, label: props.name },
      ],
      warning: <RichText format={(v) => t(`${props.kind}.delete.warning`, v)} elements={{ name: <strong>{props.name}</strong> }} />,
      action: props.action,
      submitLabel: t(`${props.kind}.delete.button`),
      cancelHref: props.recordHref,
    },
  });
}

/** Deleting a provider: its stored token goes too. */
export function providerDeletePage(props: { viewer: Viewer; provider: OAuthProvider }): string {
  const { provider } = props;
  return recordDeletePage({ viewer: props.viewer, kind: "provider", name: provider.name, recordHref: adminPaths.provider(provider.sysId), action: adminPaths.providerDelete(provider.sysId) });
}

/** Deleting an OAuth API endpoint: its tokens and codes go with it, and its client ID stops working. */
export function clientDeletePage(props: { viewer: Viewer; client: OAuthClient }): string {
  const { client } = props;
  return recordDeletePage({ viewer: props.viewer, kind: "registry", name: client.name, recordHref: adminPaths.registryRecord(client.sysId), action: adminPaths.registryDelete(client.sysId) });
}

/** Regenerating a client secret: the current one stops working at once. */
export function regenerateSecretPage(props: { viewer: Viewer; client: OAuthClient }): string {
  const { client } = props;
  const { t } = props.viewer.i18n;
  return confirmPage({
    viewer: props.viewer,
    active: "registry",
    confirmation: {
      pageTitle: t("regenerate.pageTitle", { name: client.name }),
      title: t("regenerate.title"),
      crumbs: [
        { href: adminPaths.registry, label: t("registry.title") },
        { href: adminPaths.registryRecord(client.sysId), label: client.name },
      ],
      warning: <RichText format={(v) => t("regenerate.warning", v)} elements={{ name: <strong>{client.name}</strong> }} />,
      action: adminPaths.registryRegenerate(client.sysId),
      submitLabel: t("regenerate.submit"),
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
      warning: <RichText format={(v) => t("tokens.revokeAll.warning", v)} elements={{ client: <strong>{client.name}</strong> }} />,
      action: adminPaths.tokensRevokeClient,
      fields: { client: client.sysId },
      submitLabel: t("tokens.revokeAll"),
      cancelHref: back,
    },
  });
}

/**
 * Revoking one token: it stops working at once, and a refresh token takes the access tokens of
 * its grant with it (RFC 7009 §2.1). `back` is the list page it was chosen from, with its filter;
 * `listFields` says the same to the form, which returns there.
 */
export function revokeTokenPage(props: { viewer: Viewer; token: TokenListing; back: string; listFields: Record<string, string> }): string {
  const { token } = props;
  const { t } = props.viewer.i18n;
  return confirmPage({
    viewer: props.viewer,
    active: "tokens",
    confirmation: {
      pageTitle: t("tokens.revokeOne.pageTitle", { client: token.clientName }),
      title: t("tokens.revokeOne.confirmTitle"),
      crumbs: [{ href: props.back, label: t("tokens.title") }],
      warning: (
        <>
          <p>{t(`tokens.revokeOne.warning.${token.type}`)}</p>
          <dl class="facts">
            <dt>{t("tokens.client")}</dt>
            <dd>{token.clientName}</dd>
            <dt>{t("tokens.user")}</dt>
            <dd>{token.userName ?? t("tokens.clientOnly")}</dd>
            <dt>{t("tokens.type")}</dt>
            <dd>{t(`tokens.type.${token.type}`)}</dd>
            <dt>{t("tokens.issued")}</dt>
            <dd>{props.viewer.i18n.dateTime(token.issuedOn)}</dd>
            <dt>{t("tokens.expires")}</dt>
            <dd>{props.viewer.i18n.dateTime(token.expiresAt)}</dd>
          </dl>
        </>
      ),
      action: adminPaths.tokenRevoke(token.sysId),
      fields: props.listFields,
      submitLabel: t("tokens.revokeOne.submit"),
      cancelHref: props.back,
    },
  });
}

/** Deactivating a user: they cannot sign in, and lose their sessions and live tokens at once. */
export function deactivateUserPage(props: { viewer: Viewer; user: UserListing }): string {
  const { user } = props;
  const { t } = props.viewer.i18n;
  return confirmPage({
    viewer: props.viewer,
    active: "users",
    confirmation: {
      pageTitle: t("user.deactivate.pageTitle", { name: user.userName }),
      title: t("user.deactivate.confirmTitle"),
      crumbs: [
        { href: adminPaths.users, label: t("users.title") },
        { href: adminPaths.user(user.sysId), label: user.userName },
      ],
      warning: <RichText format={(v) => t("user.deactivate.warning", v)} elements={{ name: <strong>{user.userName}</strong> }} />,
      action: adminPaths.userActive(user.sysId),
      fields: { active: "false" },
      submitLabel: t("user.deactivateUser"),
      cancelHref: adminPaths.user(user.sysId),
    },
  });
}
