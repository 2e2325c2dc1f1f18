import { Carry, Page, renderPage } from "./layout.tsx";

type Params = Record<string, string | undefined>;

export function loginPage(props: { clientName: string; params: Params; csrfToken: string; error?: string; userName?: string }): string {
  return renderPage(
    <Page title="Log in">
      <h1>Log in</h1>
      <p class="sub">
        <strong>{props.clientName}</strong> wants to access this instance on your behalf.
      </p>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/oauth_auth.do">
        <Carry params={props.params} />
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name="action" value="login" />
        <label for="user_name">User name</label>
        <input type="text" id="user_name" name="user_name" autocomplete="username" required value={props.userName ?? ""} autofocus />
        <label for="user_password">Password</label>
        <input type="password" id="user_password" name="user_password" autocomplete="current-password" required />
        <div class="actions">
          <button type="submit" class="primary">
            Log in
          </button>
        </div>
      </form>
    </Page>,
  );
}

export function consentPage(props: { clientName: string; userName: string; scope: string; redirectHost: string; params: Params; csrfToken: string }): string {
  return renderPage(
    <Page title="Allow access">
      <h1>Allow access?</h1>
      <p class="sub">
        <strong>{props.clientName}</strong> is requesting access to this instance as <strong>{props.userName}</strong>.
      </p>
      <p>It will be able to:</p>
      <ul class="scopes">
        {props.scope.split(" ").map((s) => (
          <li>{s === "useraccount" ? "Access your account: everything your roles allow (useraccount)" : s}</li>
        ))}
      </ul>
      <p class="sub">You will be sent back to {props.redirectHost}.</p>
      <form method="post" action="/oauth_auth.do">
        <Carry params={props.params} />
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <div class="actions">
          <button type="submit" name="action" value="deny">
            Deny
          </button>
          <button type="submit" name="action" value="allow" class="primary">
            Allow
          </button>
        </div>
      </form>
    </Page>,
  );
}

export function errorPage(props: { title: string; message: string }): string {
  return renderPage(
    <Page title={props.title}>
      <h1>{props.title}</h1>
      <p class="error" role="alert">
        {props.message}
      </p>
    </Page>,
  );
}
