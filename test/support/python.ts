import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The Debian package python3-requests-oauthlib installs for Debian's own interpreter, which
 * may not be the first python3 on PATH (pyenv and the like); try both.
 */
export function pythonWithRequestsOAuthlib(): string | undefined {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(candidate, ["-c", "import requests_oauthlib, requests"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

export const requestsOAuthlibSkip = "python3 with requests-oauthlib is not installed (Debian: apt-get install python3-requests-oauthlib)";

/** Runs a script (a name in test/support, or a path) with its settings as JSON on stdin. */
export function runPython(python: string, scriptName: string, input: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = path.isAbsolute(scriptName) ? scriptName : path.join(path.dirname(fileURLToPath(import.meta.url)), scriptName);
  return new Promise((resolve) => {
    const env = { ...process.env };
    // The script decides trust itself; an inherited bundle setting would hide a failure.
    delete env.REQUESTS_CA_BUNDLE;
    delete env.CURL_CA_BUNDLE;
    delete env.SSL_CERT_FILE;
    const child = spawn(python, [script], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}
