import { Page, renderPage } from "./layout.tsx";

/** Shown after /oauth_redirect.do stored a provider's token. */
export function connectedPage(props: { providerName: string; scope: string }): string {
  return renderPage(
    <Page title="Connected">
      <h1>Connected to {props.providerName}</h1>
      <p>The token is stored{props.scope ? ` with scope "${props.scope}"` : ""}. You can close this page.</p>
    </Page>,
  );
}
