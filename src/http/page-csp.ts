/**
 * The Content-Security-Policy of the pages outside the admin UI (OAuth login, consent, errors):
 * their own inline style, nothing loaded from elsewhere, never framed. helmet writes the policy
 * every page gets from these (app.ts); the login page adds form-action.
 */
export const pageCSPDirectives = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "https:", "data:"],
  scriptSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

// A source expression (CSP3 §2.3.1) the redirect URI's origin can be written as, with nothing that would end it or start another.
const safeSource = /^(https?:\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d+)?|[a-z][a-z0-9+.-]*:)$/;

/** The CSP source expression of where a redirect URI sends the browser: its origin, or a private-use scheme (RFC 8252 §7.1) alone. */
function redirectSource(redirectUri: string): string | undefined {
  const url = URL.canParse(redirectUri) ? new URL(redirectUri) : undefined;
  if (!url) return undefined;
  const source = url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol;
  return safeSource.test(source) ? source : undefined;
}

/**
 * The login page's policy: the pages' own, with form-action limiting where its forms, the one
 * the password is typed into among them, may send the browser: this instance (the login posts
 * here and is answered with a 303 to the consent page; the language switch posts here too) and
 * the client's redirect URI, where a request found wrong on the login's POST is sent back with its
 * error. Browsers apply form-action to every redirect that answers a form's POST (CSP3 §6.1.3.1),
 * so 'self' alone would stop that one.
 *
 * The consent page has none: its answer is a 303 to the client, and a client whose redirect
 * endpoint redirects again, to another origin (a sign-in domain, a gateway), would be stopped
 * there too, the browser left on the consent page with only a console error; chromium does so
 * (test/oauth/browser-authorize-pages.test.ts). A redirect URI no source expression can name
 * leaves the login page without form-action too, rather than with a policy that would stop it.
 */
export function loginPageCSP(redirectUri: string): string {
  const directives: Record<string, string[]> = { ...pageCSPDirectives };
  const source = redirectSource(redirectUri);
  if (source) directives.formAction = ["'self'", source];
  return Object.entries(directives)
    .map(([name, values]) => `${kebab(name)} ${values.join(" ")}`)
    .join(";");
}
