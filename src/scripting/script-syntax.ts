import type { QuickJSContext } from "quickjs-emscripten-core";
import { EnginePool } from "./engine-pool.ts";
import { scriptHead, wrapScript } from "./prelude.ts";

/**
 * Compiles a Scripted REST script without running it, so a syntax error is refused when the
 * resource is saved instead of surfacing as a 500 to the first caller. compileOnly means not a
 * line of the script executes here, whatever it contains; its own limits apply when it runs.
 */
const compileMemoryBytes = 64 * 1024 * 1024;
let pool: EnginePool | undefined;

interface CompileError {
  name: string;
  message: string;
  line: number;
  column: number;
}

function compileError(context: QuickJSContext, source: string): CompileError | null {
  const compiled = context.evalCode(source, "script.js", { type: "global", compileOnly: true });
  if (!compiled.error) {
    compiled.value.dispose();
    return null;
  }
  const error = compiled.error.consume((h) => context.dump(h)) as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  const [, line = "0", column = "0"] = /script\.js:(\d+):(\d+)/.exec(String(error?.stack ?? "")) ?? [];
  return { name: String(error?.name ?? "SyntaxError"), message: String(error?.message ?? "does not compile"), line: Number(line), column: Number(column) };
}

/**
 * An error past the script's last line is about the wrapper's closing "})", tokens the author
 * never wrote ("unexpected token '}'", "expecting ';'"). Either the script closes the function
 * itself (it compiles once the wrapper's brace is left out) or something in it is left open.
 */
function describeEnd(context: QuickJSContext, script: string): string {
  const closesItself = compileError(context, `${scriptHead}${script}\n)`) === null || compileError(context, `${scriptHead}${script}\n`) === null;
  return closesItself
    ? "SyntaxError: the script closes more brackets or blocks than it opens (a '}' or ')' too many)"
    : "SyntaxError: the script ends before a bracket, block or expression in it is complete (at the end of the script)";
}

/** "SyntaxError: … (line N, column M)" for a script that does not compile, or null. */
export async function scriptSyntaxProblem(script: string): Promise<string | null> {
  pool ??= new EnginePool(compileMemoryBytes);
  const engine = await pool.acquire();
  let clean = false;
  try {
    const runtime = engine.module.newRuntime();
    const context = runtime.newContext();
    try {
      const error = compileError(context, wrapScript(script));
      if (!error) {
        clean = true;
        return null;
      }
      if (error.line > script.split("\n").length) return describeEnd(context, script);
      // Line 1 of the file starts with the wrapper's head.
      const column = error.line === 1 ? error.column - scriptHead.length : error.column;
      const where = error.line > 0 ? ` (line ${error.line}${column > 0 ? `, column ${column}` : ""})` : "";
      return `${error.name}: ${error.message}${where}`.slice(0, 500);
    } finally {
      context.dispose();
      runtime.dispose();
    }
  } finally {
    pool.release(engine, clean);
  }
}
