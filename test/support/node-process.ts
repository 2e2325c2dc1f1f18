import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { adminPassword, freePort, testSecretKey } from "./instance.ts";

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/cli/entry.ts");

/** A real `portcullis start` process, for tests that kill, stop or multiply nodes. */
export interface NodeProcess {
  base: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export async function startNodeProcess(options: { dataDir: string; databaseUrl?: string | undefined; port?: number; env?: Record<string, string> }): Promise<NodeProcess> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_ADMIN_PASSWORD: adminPassword, PORTCULLIS_LOG_LEVEL: "silent", ...options.env };
  if (options.databaseUrl) {
    env.DATABASE_URL = options.databaseUrl;
    env.PORTCULLIS_SECRET_KEY ??= testSecretKey;
  }
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", entry, "start", "--data", options.dataDir, "--port", String(port)], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`node exited: ${stderr}`);
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return { base, port, child, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`node did not start: ${stderr}`);
}
