import { EnginePool } from "./engine-pool.ts";
import { wrapScript } from "./prelude.ts";

/**
 * Compiles a Scripted REST script without running it, so a syntax error is refused when the
 * resource is saved instead of surfacing as a 500 to the first caller. compileOnly means not a
 * line of the script executes here, whatever it contains; its own limits apply when it runs.
 */
const compileMemoryBytes = 64 * 1024 * 1024;
let pool: EnginePool | undefined;

/** "SyntaxError: … (line N)" for a script that does not compile, or null. */
export async function scriptSyntaxProblem(script: string): Promise<string | null> {
  pool ??= new EnginePool(compileMemoryBytes);
  const engine = await pool.acquire();
  let clean = false;
  try {
    const runtime = engine.module.newRuntime();
    const context = runtime.newContext();
    try {
      const compiled = context.evalCode(wrapScript(script), "script.js", { type: "global", compileOnly: true });
      if (!compiled.error) {
        compiled.value.dispose();
        clean = true;
        return null;
      }
      const error = compiled.error.consume((h) => context.dump(h)) as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
      const line = Number(/script\.js:(\d+)/.exec(String(error?.stack ?? ""))?.[1] ?? 0);
      // Past the last line is the wrapper's closing brace: something was left open.
      const where = line > script.split("\n").length ? " (at the end of the script)" : line > 0 ? ` (line ${line})` : "";
      return `${String(error?.name ?? "SyntaxError")}: ${String(error?.message ?? "does not compile")}${where}`.slice(0, 500);
    } finally {
      context.dispose();
      runtime.dispose();
    }
  } finally {
    pool.release(engine, clean);
  }
}
