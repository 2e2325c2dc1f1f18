import { main } from "../../src/cli/main.ts";

/** Runs the CLI in this process with exactly `env` for its environment, its output kept apart by stream. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, env);
  return { code, stdout, stderr };
}
