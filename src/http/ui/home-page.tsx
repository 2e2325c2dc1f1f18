import { Page, renderPage } from "./layout.tsx";

/** The instance's front door: what it is and where its endpoints are. */
export function homePage(props: { issuer: string; metadataUrl: string }): string {
  return renderPage(
    <Page title="Instance">
      <h1>Portcullis instance</h1>
      <p class="sub">An OAuth 2 authorization server for this instance's external clients.</p>
      <p>
        Issuer: <code>{props.issuer}</code>
      </p>
      <p>
        Authorization server metadata: <a href={props.metadataUrl}>{props.metadataUrl}</a>
      </p>
    </Page>,
  );
}
