/**
 * The platform's resource template, as its new-resource form fills it in:
 *
 *   (function process(request, response) { … return x; })(request, response);
 *
 * There the value of that call is the answer. Here a script is the body of a function, so the
 * call's value would be dropped. `answeringTemplate` gives the script with the call returned,
 * when the script is that one call and nothing else; the sandbox compiles it, and falls back to
 * the script as written when it does not compile (two statements, a trailing comment…) or is no
 * function body (script-body.ts).
 * Every scan here is linear in the script's length: an admin's script is untrusted input to
 * the server's own thread.
 */
const templateStart = /\(\s*(?:async\s+)?function\s+process\s*\(/y;
const templateCall = /\)\s*\(\s*request\s*,\s*response\s*\)$/;
/** The call's closing text sits in the script's last characters; a bounded tail keeps the check linear. */
const tailLength = 200;

/** Where the first token is, past whitespace and comments; -1 inside an unclosed comment. */
function firstToken(script: string): number {
  let i = 0;
  for (;;) {
    while (i < script.length && /\s/.test(script[i]!)) i++;
    if (script.startsWith("//", i)) {
      const end = script.indexOf("\n", i);
      if (end < 0) return -1;
      i = end + 1;
    } else if (script.startsWith("/*", i)) {
      const end = script.indexOf("*/", i + 2);
      if (end < 0) return -1;
      i = end + 2;
    } else {
      return i;
    }
  }
}

/**
 * The script without the comments after its last statement (`})(request, response); // done`, a
 * closing block comment). A cut in the wrong place (a "//" inside a string) leaves text that
 * does not end in the call or does not compile, and the script then runs as written.
 */
function withoutTrailingComments(script: string): string {
  let end = script.trimEnd();
  // Bounded, so a script of a million trailing comments costs a bounded number of linear steps.
  for (let i = 0; i < 20; i++) {
    if (end.endsWith("*/") && end.lastIndexOf("/*") >= 0) {
      end = end.slice(0, end.lastIndexOf("/*")).trimEnd();
      continue;
    }
    const comment = end.indexOf("//", end.lastIndexOf("\n") + 1);
    if (comment < 0) break;
    end = end.slice(0, comment).trimEnd();
  }
  return end;
}

export function answeringTemplate(script: string): string | undefined {
  const start = firstToken(script);
  if (start < 0) return undefined;
  templateStart.lastIndex = start;
  if (!templateStart.test(script)) return undefined;
  let end = withoutTrailingComments(script);
  if (end.endsWith(";")) end = end.slice(0, -1).trimEnd();
  if (!templateCall.test(end.slice(-tailLength))) return undefined;
  // The parentheses make two statements, or a comment swallowing the end, fail to compile.
  return `${script.slice(0, start)}return (${end.slice(start)}\n);`;
}
