import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";

const output = fileURLToPath(new URL("../../src/cli/output.ts", import.meta.url));

describe("CLI output into a pipe whose reader leaves", () => {
  test("`… | head -1`: no EPIPE stack trace, and the command still runs to its end", () => {
    // Writes a line per turn for a while after head has gone, then says it finished.
    const program = `
      const { processOutput } = await import(${JSON.stringify(output)});
      for (let i = 0; i < 2000; i++) { processOutput.out("line " + i); await new Promise((r) => setImmediate(r)); }
      (await import("node:fs")).writeSync(2, "finished\\n");`;
    const script = `node --import tsx --input-type=module -e '${program.replace(/'/g, "'\\''")}' | head -1; echo "status=\${PIPESTATUS[0]}" >&2`;
    const run = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    assert.equal(run.stdout, "line 0\n");
    assert.doesNotMatch(run.stderr, /EPIPE|Unhandled|at /, run.stderr);
    assert.match(run.stderr, /finished\nstatus=0\n$/);
  });
});
