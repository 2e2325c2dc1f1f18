import { adminPaths } from "../../admin/admin-paths.ts";
import { renderPage } from "../layout.tsx";
import { AdminDocument, AdminShell, type Viewer } from "./admin-layout.tsx";

export function signInPage(props: { csrfToken: string; issuer: string; metadataUrl: string; next: string; error?: string; userName?: string; notice?: string }): string {
  return renderPage(
    <AdminDocument title="Sign in">
      <main class="signin" id="content">
        <div class="signin-card">
          <p class="brand">
            <span class="brand-mark" aria-hidden="true">
              ▦
            </span>{" "}
            Portcullis
          </p>
          <h1>Sign in</h1>
          <p class="muted">Administration of this instance's OAuth applications, tokens and users.</p>
          {props.notice ? (
            <div class="alert alert-ok" role="status">
              {props.notice}
            </div>
          ) : null}
          {props.error ? (
            <div class="alert alert-error" role="alert">
              {props.error}
            </div>
          ) : null}
          <form method="post" action={adminPaths.login}>
            <input type="hidden" name="csrf_token" value={props.csrfToken} />
            <input type="hidden" name="next" value={props.next} />
            <label for="user_name">User name</label>
            <input type="text" id="user_name" name="user_name" autocomplete="username" required value={props.userName ?? ""} autofocus />
            <label for="user_password">Password</label>
            <input type="password" id="user_password" name="user_password" autocomplete="current-password" required />
            <button type="submit" class="btn btn-primary btn-block">
              Sign in
            </button>
          </form>
          <dl class="instance-facts">
            <dt>Issuer</dt>
            <dd>
              <code>{props.issuer}</code>
            </dd>
            <dt>Metadata</dt>
            <dd>
              <a href={props.metadataUrl}>{props.metadataUrl}</a>
            </dd>
          </dl>
        </div>
      </main>
    </AdminDocument>,
  );
}

/** Signed in, but without the admin role: say so plainly rather than pretend the page is missing. */
export function forbiddenPage(props: { viewer: Viewer }): string {
  return renderPage(
    <AdminShell title="Not allowed" active="home" viewer={props.viewer}>
      <h1>You do not have access to this page</h1>
      <div class="alert alert-error" role="alert">
        The administration pages require the <code>admin</code> role. Your account, <strong>{props.viewer.userName}</strong>, does not have it. Ask an administrator to grant it, or sign in
        as another user.
      </div>
    </AdminShell>,
  );
}

export function adminErrorPage(props: { viewer: Viewer; title: string; message: string }): string {
  return renderPage(
    <AdminShell title={props.title} active="home" viewer={props.viewer}>
      <h1>{props.title}</h1>
      <div class="alert alert-error" role="alert">
        {props.message}
      </div>
    </AdminShell>,
  );
}
