import { EnginePool } from "./engine-pool.ts";
import { scriptHead, wrapScript } from "./prelude.ts";
import { type Compile, type CompileError, closingBrace, compileOnlyIn, staysOpen, whereInScript } from "./script-close.ts";

/**
 * Compiles a Scripted REST script without running it, so a syntax error is refused when the
 * resource is saved instead of surfacing as a 500 to the first caller. compileOnly means not a
 * line of the script executes here, whatever it contains; its own limits apply when it runs.
 */
const compileMemoryBytes = 64 * 1024 * 1024;
let pool: EnginePool | undefined;

const closesTooMany = "SyntaxError: the script closes more brackets or blocks than it opens";
const endsOpen = "SyntaxError: the script ends before a bracket, block or expression in it is complete (at the end of the script)";
/** QuickJS's words when the function the script is the body of was closed and something other than its ')' follows. */
const afterClose = "expecting ')'";

/**
 * The '}' too many, where the script closes the function before `before`; without its place
 * when the search gives up, and null when the script closes nothing too early.
 */
function tooMany(compile: Compile, script: string, before: number): string | null {
  const brace = closingBrace(compile, script, before);
  return brace >= 0 ? `${closesTooMany}: a '}' too many ${whereInScript(script, brace)}` : null;
}

/** The offset in the script of an error QuickJS placed on one of its lines; line 1 of the file starts with the wrapper's head. */
function offsetOf(script: string, error: CompileError): { offset: number; column: number } {
  const column = error.line === 1 ? error.column - scriptHead.length : error.column;
  const lines = script.split("\n").slice(0, Math.max(error.line - 1, 0));
  const offset = lines.reduce((sum, line) => sum + line.length + 1, 0) + Math.max(column - 1, 0);
  return { offset: Math.min(offset, script.length), column };
}

/**
 * "SyntaxError: … (line N, column M)" for a script that does not compile as a function body, or
 * null; the sandbox asks it too, of a stored script that closes its function (script-body.ts).
 */
export function bodyProblem(compile: Compile, script: string): string | null {
  const error = compile(wrapScript(script));
  if (!error) {
    // Compiles only by balancing its braces against the wrapper's: `}); … (function () {`.
    if (staysOpen(compile, script)) return null;
    return tooMany(compile, script, script.length) ?? `${closesTooMany} (a '}' too many)`;
  }
  if (error.line > script.split("\n").length) {
    // Past the script's last line the error is about the wrapper's closing "})", tokens the author never wrote.
    const closesItself = compile(`${scriptHead}${script}\n)`) === null || compile(`${scriptHead}${script}\n`) === null;
    if (!closesItself && error.message !== afterClose) return endsOpen;
    return tooMany(compile, script, script.length) ?? (closesItself ? `${closesTooMany} (a '}' or ')' too many)` : endsOpen);
  }
  const { offset, column } = offsetOf(script, error);
  if (error.message === afterClose) {
    const closed = tooMany(compile, script, offset);
    if (closed) return closed;
  }
  const where = error.line > 0 ? ` (line ${error.line}${column > 0 ? `, column ${column}` : ""})` : "";
  return `${error.name}: ${error.message}${where}`.slice(0, 500);
}

/** "SyntaxError: … (line N, column M)" for a script that does not compile as a function body, or null. */
export async function scriptSyntaxProblem(script: string): Promise<string | null> {
  pool ??= new EnginePool(compileMemoryBytes);
  const engine = await pool.acquire();
  let clean = false;
  try {
    const runtime = engine.module.newRuntime();
    const context = runtime.newContext();
    try {
      const found = bodyProblem(compileOnlyIn(context), script);
      clean = found === null;
      return found;
    } finally {
      context.dispose();
      runtime.dispose();
    }
  } finally {
    pool.release(engine, clean);
  }
}
