import { main } from "../../src/cli/main.ts";
import type { TestInstance } from "./instance.ts";
import { adminPassword } from "./instance.ts";

export interface CLIRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a person runs it, with every instance's admin password in the environment unless `env` says otherwise. */
export async function pipelineCLI(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CLIRun> {
  let stdout = "";
  let stderr = "";
  const environment = { PROD_PW: adminPassword, DEV_PW: adminPassword, TEST_PW: adminPassword, STAGING_PW: adminPassword, ...env };
  const code = await main(["node", "portcullis", ...args], { out: (s) => void (stdout += `${s}\n`), err: (s) => void (stderr += `${s}\n`) }, environment);
  return { code, stdout, stderr };
}

/** A pipeline file: production, then each [name, instance or URL, password variable]. */
export function pipelineFileText(production: TestInstance, others: [string, TestInstance | string, string][]): string {
  return [
    "production:",
    "  name: production",
    `  url: ${production.base}`,
    "  admin: { user: admin, password_env: PROD_PW }",
    "instances:",
    ...others.map(([name, instance, env]) => `  - { name: ${name}, url: ${typeof instance === "string" ? instance : instance.base}, admin: { user: admin, password_env: ${env} } }`),
  ].join("\n");
}
