#!/usr/bin/env node
// Runs the built CLI; `npm run build` (run by `npm install` via prepare) produces dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write("portcullis: dist/ is missing; run `npm run build` first\n");
  process.exit(1);
}
const { main } = await import(built.href);
process.exitCode = await main(process.argv);
