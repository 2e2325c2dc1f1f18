import type { ComponentChildren } from "preact";
import { render } from "preact-render-to-string";
import { translator, type Translator } from "../../i18n/translator.ts";

const styles = `
:root{color-scheme:light;--ink:#1d2733;--muted:#5b6875;--line:#d5dbe1;--accent:#1f5f8b;--bad:#a4262c;--bg:#f4f6f8}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans KR","NanumGothic",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:26rem;margin:8vh auto;padding:0 1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.75rem}
/* A word too long for its line (a client named like a package) breaks, in every language; Korean breaks only between words otherwise. */
body{overflow-wrap:break-word}html:lang(ko) body{word-break:keep-all}
h1{font-size:1.3rem;margin:0 0 .25rem}p.sub{color:var(--muted);margin:0 0 1.25rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}
input[type=text],input[type=password]{width:100%;padding:.55rem .65rem;border:1px solid var(--line);border-radius:6px;font:inherit}
input:focus,button:focus{outline:3px solid #9cc3e0;outline-offset:1px}
.actions{display:flex;gap:.75rem;margin-top:1.4rem}
button{flex:1;padding:.6rem 1rem;border-radius:6px;border:1px solid var(--accent);font:inherit;font-weight:600;cursor:pointer;background:#fff;color:var(--accent)}
button.primary{background:var(--accent);color:#fff}
.error{color:var(--bad);background:#fdf1f1;border:1px solid #f1c6c8;border-radius:6px;padding:.6rem .75rem;margin:0 0 1rem}
ul.scopes{padding-left:1.2rem}footer{color:var(--muted);font-size:.85rem;text-align:center;margin-top:1rem}
.language-switch{display:flex;justify-content:flex-end;align-items:center;gap:.4rem;margin:0 0 1rem}
.language-switch select{font:inherit;font-size:.9rem;padding:.2rem .35rem;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--ink)}
.language-switch button{flex:none;padding:.2rem .75rem;font-size:.9rem;font-weight:500}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
`;

export function Page(props: { title: string; i18n?: Translator; children: ComponentChildren }) {
  const i18n = props.i18n ?? translator("en");
  return (
    <html lang={i18n.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{i18n.t("shell.titleSuffix", { title: props.title })}</title>
        <style dangerouslySetInnerHTML={{ __html: styles }} />
        {/* No favicon request, as on the admin pages: the instance serves none, and a browser's /favicon.ico is a 404 in its console and in the log. */}
        <link rel="icon" href="data:," />
      </head>
      <body>
        <main>
          <div class="card">{props.children}</div>
          <footer>{i18n.t("app.name")}</footer>
        </main>
      </body>
    </html>
  );
}

/** Hidden fields that carry the authorization request through the login and consent forms. */
export function Carry(props: { params: Record<string, string | undefined> }) {
  return (
    <>
      {Object.entries(props.params).map(([name, value]) => (value === undefined ? null : <input type="hidden" name={name} value={value} />))}
    </>
  );
}

export function renderPage(node: preact.VNode): string {
  return `<!doctype html>${render(node)}`;
}
