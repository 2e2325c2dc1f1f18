import { readFileSync } from "node:fs";

/** The installed package's version: src/cli and dist/cli both sit two levels under package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
