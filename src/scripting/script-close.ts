import { randomBytes } from "node:crypto";
import type { QuickJSContext } from "quickjs-emscripten-core";
import { scriptHead, scriptParameters } from "./prelude.ts";

/**
 * Whether a script, as the body of the function it runs in, closes that function itself. The
 * wrapper's compile cannot tell: `}); for (;;) {} (function () {` balances its braces against the
 * wrapper's and compiles, yet no parser given it as a function body (the platform's) accepts it.
 * QuickJS has no function-body goal and Node's parser differs from it (it refuses RegExp
 * modifiers QuickJS takes), so the answer comes from QuickJS with a probe instead.
 */

export interface CompileError {
  name: string;
  message: string;
  line: number;
  column: number;
}

/** Compiles a whole source without running it; null when it compiles. */
export type Compile = (source: string) => CompileError | null;

/** Compiles in `context` with compileOnly, so not a line of the source executes, whatever it contains. */
export function compileOnlyIn(context: QuickJSContext): Compile {
  return (source) => {
    const compiled = context.evalCode(source, "script.js", { type: "global", compileOnly: true });
    if (!compiled.error) {
      compiled.value.dispose();
      return null;
    }
    const error = compiled.error.consume((h) => context.dump(h)) as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
    const [, line = "0", column = "0"] = /script\.js:(\d+):(\d+)/.exec(String(error?.stack ?? "")) ?? [];
    return { name: String(error?.name ?? "SyntaxError"), message: String(error?.message ?? "does not compile"), line: Number(line), column: Number(column) };
  };
}

/** QuickJS's words when a `let` names a parameter of its own function. */
const parameterRedefined = "invalid redefinition of parameter name";
/** Characters compiled while looking for the closing '}': a 70 KB script that exhausts it is refused in about a quarter of a second. */
const searchBudget = 400_000;

function lineCount(text: string): number {
  return text.split("\n").length;
}

/**
 * True when `text` leaves the function open, at its top level: the probe gives the function a
 * parameter with a random name and declares it again after the text. Only the function's own
 * scope refuses that declaration, and a script that closed the function cannot reopen one with
 * a parameter of that name, as it cannot know it.
 */
export function staysOpen(compile: Compile, text: string): boolean {
  const name = `p${randomBytes(16).toString("hex")}`;
  const error = compile(`(async function (${scriptParameters}, ${name}) {${text}\nlet ${name};\n})`);
  return error !== null && error.message === parameterRedefined && error.line === lineCount(text) + 1;
}

/**
 * The offset of the '}' that closes the function, looked for among the '}' before `before`,
 * nearest first (a stray '}' is most often just before where the compile failed), or -1 when
 * there is none or the search outgrew its budget. The function closes at a '}' when the text
 * before it stays open and the '}' is code: followed directly by the wrapper's ')', a '}' in
 * a string, a comment or a regular expression does not compile.
 */
export function closingBrace(compile: Compile, script: string, before: number): number {
  let spent = 0;
  for (let at = before > 0 ? script.lastIndexOf("}", before - 1) : -1; at >= 0; at = at > 0 ? script.lastIndexOf("}", at - 1) : -1) {
    spent += at;
    if (spent > searchBudget) return -1;
    const head = script.slice(0, at);
    // Open here means open at every '}' before too: none of them closed it.
    if (staysOpen(compile, head)) return compile(`${scriptHead}${head}})`) === null ? at : -1;
  }
  return -1;
}

/** "(line N, column M)" of an offset in the script, both counted from 1. */
export function whereInScript(script: string, offset: number): string {
  const before = script.slice(0, offset);
  return `(line ${lineCount(before)}, column ${offset - before.lastIndexOf("\n")})`;
}
