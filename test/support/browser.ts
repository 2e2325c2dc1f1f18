/**
 * What a browser does with our HTML forms, over real HTTP: keeps cookies, reads a form's
 * fields as rendered, and submits them. Enough to drive login and consent without a browser.
 */
export class FormBrowser {
  private cookies = new Map<string, string>();

  /** Mutable so a test can carry the same cookies to another node behind the same URL. */
  constructor(public base: string) {}

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** A cookie as if a page had set it (the language switch's, say). */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(pathOrUrl: string): Promise<Page> {
    const response = await fetch(new URL(pathOrUrl, this.base), { redirect: "manual", headers: { cookie: this.cookieHeader() } });
    this.remember(response);
    return new Page(response.status, response.headers, await response.text());
  }

  async submit(page: Page, overrides: Record<string, string>, extraHeaders: Record<string, string> = {}): Promise<Page> {
    const form = page.form();
    return this.post(form.action, new URLSearchParams({ ...form.fields, ...overrides }), extraHeaders);
  }

  /**
   * Submits the form whose action is `action` as a browser would (checked boxes only, every
   * value of a repeated name, textareas); each override replaces all values of its name, null drops it.
   */
  async submitForm(page: Page, action: string, overrides: Record<string, string | string[] | null> = {}, extraHeaders: Record<string, string> = {}): Promise<Page> {
    const fields = new URLSearchParams();
    for (const [name, value] of page.formAt(action)) if (!(name in overrides)) fields.append(name, value);
    for (const [name, value] of Object.entries(overrides)) for (const v of value === null ? [] : Array.isArray(value) ? value : [value]) fields.append(name, v);
    return this.post(action, fields, extraHeaders);
  }

  async post(action: string, fields: URLSearchParams, extraHeaders: Record<string, string> = {}): Promise<Page> {
    const response = await fetch(new URL(action, this.base), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: this.cookieHeader(), "sec-fetch-site": "same-origin", ...extraHeaders },
      body: fields.toString(),
    });
    this.remember(response);
    return new Page(response.status, response.headers, await response.text());
  }
}

const entities: Record<string, string> = { "&amp;": "&", "&quot;": '"', "&lt;": "<", "&gt;": ">", "&#39;": "'", "&#x27;": "'" };
const decode = (s: string) => s.replace(/&(amp|quot|lt|gt|#39|#x27);/g, (m) => entities[m] ?? m);

export class Page {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly html: string,
  ) {}

  get location(): string | null {
    return this.headers.get("location");
  }

  /** The successful controls of the form posting to `action`, in document order (a list's GET filter form may share the action). */
  formAt(action: string): [string, string][] {
    const posting = this.html.indexOf(`method="post" action="${action}"`);
    const start = posting >= 0 ? posting : this.html.indexOf(`action="${action}"`);
    if (start < 0) throw new Error(`no form posting to ${action} (status ${this.status}): ${this.html.slice(0, 300)}`);
    const body = this.html.slice(start, this.html.indexOf("</form>", start));
    const out: [string, string][] = [];
    for (const match of body.matchAll(/<input([^>]*)>|<textarea([^>]*)>([^<]*)<\/textarea>/g)) {
      const attrs = match[1] ?? match[2]!;
      const name = /name="([^"]*)"/.exec(attrs)?.[1];
      if (!name || / disabled(=|\s|\/|$)/.test(attrs)) continue;
      const type = /type="([^"]*)"/.exec(attrs)?.[1] ?? "text";
      if ((type === "checkbox" || type === "radio") && !/ checked(=|\s|\/|$)/.test(attrs)) continue;
      if (type === "submit") continue;
      const value = match[1] !== undefined ? (/value="([^"]*)"/.exec(attrs)?.[1] ?? (type === "checkbox" ? "on" : "")) : match[3]!;
      out.push([decode(name), decode(value)]);
    }
    return out;
  }

  /** The page's first form but the language switch: its action and the values of its inputs, as a browser would send them. */
  form(): { action: string; fields: Record<string, string> } {
    const formTag = [...this.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>/g)].find((tag) => tag[1] !== "/language");
    if (!formTag) throw new Error(`no form on the page (status ${this.status}): ${this.html.slice(0, 300)}`);
    const body = this.html.slice(formTag.index, this.html.indexOf("</form>", formTag.index));
    const fields: Record<string, string> = {};
    for (const match of body.matchAll(/<input([^>]*)>/g)) {
      const attrs = match[1]!;
      const name = /name="([^"]*)"/.exec(attrs)?.[1];
      if (!name) continue;
      const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? "";
      fields[decode(name)] = decode(value);
    }
    return { action: decode(formTag[1]!), fields };
  }
}
