#!/usr/bin/env node
// Node 20's --test does not expand globs, so this lists the test files and hands them over.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

function testFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return name === "support" ? [] : testFiles(full);
      return name.endsWith(".test.ts") ? [full] : [];
    });
}

const filters = process.argv.slice(2);
const files = testFiles("test").filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=600000", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
