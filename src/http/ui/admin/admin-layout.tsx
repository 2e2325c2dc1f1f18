import type { ComponentChildren } from "preact";
import { adminPaths } from "../../admin/admin-paths.ts";
import { paths } from "../../paths.ts";
import { CsrfInput } from "./components.tsx";

/** The navigator's modules, grouped as the platform's application menus. */
const navigator: { heading: string; items: { label: string; href: string; key: NavKey }[] }[] = [
  {
    heading: "System OAuth",
    items: [
      { label: "Application Registry", href: adminPaths.registry, key: "registry" },
      { label: "Manage Tokens", href: adminPaths.tokens, key: "tokens" },
    ],
  },
  {
    heading: "User Administration",
    items: [
      { label: "Users", href: adminPaths.users, key: "users" },
      { label: "Roles", href: adminPaths.roles, key: "roles" },
    ],
  },
  { heading: "System Logs", items: [{ label: "Audit", href: adminPaths.audit, key: "audit" }] },
  { heading: "Pipeline", items: [{ label: "Pipeline (coming)", href: adminPaths.pipeline, key: "pipeline" }] },
];

export type NavKey = "home" | "registry" | "tokens" | "users" | "roles" | "audit" | "pipeline";

export interface Viewer {
  userName: string;
  csrfToken: string;
}

/** The document every admin page shares: stylesheet and script from 'self', nothing inline. */
export function AdminDocument(props: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · Portcullis`}</title>
        <link rel="stylesheet" href={adminPaths.stylesheet} />
        {/* No favicon request: the instance serves none. */}
        <link rel="icon" href="data:," />
        <script src={adminPaths.script} defer></script>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function AdminShell(props: { title: string; active: NavKey; viewer: Viewer; children: ComponentChildren }) {
  return (
    <AdminDocument title={props.title}>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={adminPaths.home}>
          <span class="brand-mark" aria-hidden="true">
            ▦
          </span>{" "}
          Portcullis
        </a>
        <form method="post" action={paths.logout} class="signout">
          <span class="who">
            Signed in as <strong>{props.viewer.userName}</strong>
          </span>
          <CsrfInput token={props.viewer.csrfToken} />
          <button type="submit" class="btn btn-quiet">
            Sign out
          </button>
        </form>
      </header>
      <div class="frame">
        <nav class="navigator" aria-label="Navigator">
          {navigator.map((group) => (
            <section>
              <h2>{group.heading}</h2>
              <ul>
                {group.items.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.key === props.active ? "page" : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </nav>
        <main id="content" tabindex={-1}>
          {props.children}
        </main>
      </div>
    </AdminDocument>
  );
}
