import type { QuickJSContext } from "quickjs-emscripten-core";
import { wrapScript } from "./prelude.ts";
import { answeringTemplate } from "./process-template.ts";
import { type Compile, compileOnlyIn, staysOpen } from "./script-close.ts";
import { bodyProblem } from "./script-syntax.ts";

/**
 * What of a stored script the sandbox runs as the body of its function: the template made to
 * answer (process-template.ts), the script as written, or nothing when the script closes that
 * function itself (`}); for (;;) {} (function () {`). A save refuses such a script, but one
 * stored before that check, or written to the database without the Table API, still reaches
 * here; running it would run its code outside the function, past what the sandbox wraps it in.
 *
 * Deciding takes two or three more compiles, so the verdict is kept per resource (its file name)
 * on this thread, with the script it was made for: a later run pays a string comparison, and an
 * edited script is judged again. A refused script's runs end before an engine is taken.
 */
type Verdict = { runs: "answering" | "written" } | { refused: string };

/** Resources judged per thread; past this the oldest verdict goes, to be made again if needed. Each holds its script (up to 100,000 characters). */
const maxVerdicts = 256;
const verdicts = new Map<string, { script: string; verdict: Verdict }>();

function judge(compile: Compile, script: string): Verdict {
  const answering = answeringTemplate(script);
  if (answering !== undefined && compile(wrapScript(answering)) === null && staysOpen(compile, answering)) return { runs: "answering" };
  // One that does not compile runs as written, so its SyntaxError is the run's error, as before.
  if (compile(wrapScript(script)) !== null || staysOpen(compile, script)) return { runs: "written" };
  return { refused: bodyProblem(compile, script) ?? "SyntaxError: the script closes the function it is the body of" };
}

function remember(filename: string, script: string, verdict: Verdict): void {
  verdicts.delete(filename);
  if (verdicts.size >= maxVerdicts) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(filename, { script, verdict });
}

/** Why a script already judged on this thread is not run, or undefined (not refused, or not judged yet). */
export function knownRefusal(script: string, filename: string): string | undefined {
  const known = verdicts.get(filename);
  return known && known.script === script && "refused" in known.verdict ? known.verdict.refused : undefined;
}

/** The script compiled as the function the sandbox runs, or why it is not run. */
export function compileScript(ctx: QuickJSContext, script: string, filename: string): ReturnType<QuickJSContext["evalCode"]> | { refused: string } {
  const known = verdicts.get(filename);
  let verdict = known && known.script === script ? known.verdict : undefined;
  if (!verdict) {
    verdict = judge(compileOnlyIn(ctx), script);
    remember(filename, script, verdict);
  }
  if ("refused" in verdict) return verdict;
  // Made again rather than kept: one linear scan, and the verdicts hold one copy of each script.
  const body = verdict.runs === "answering" ? answeringTemplate(script)! : script;
  return ctx.evalCode(wrapScript(body), filename, { type: "global" });
}
