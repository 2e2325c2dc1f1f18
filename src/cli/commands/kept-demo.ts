import fs from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import type { PipelineFile } from "../../pipeline/pipeline-file.ts";
import type { Translator } from "../../i18n/translator.ts";

/** What a kept demo leaves for `pipeline status` and `pipeline up`: the file it ran with, and the commands that reuse it. */

const demoPipelineFileName = "pipeline.yaml";

/**
 * Writes the pipeline the demo ran into its directory, beside the three data directories. Like
 * any pipeline file it names the password variables, never the passwords.
 */
export function writeDemoPipelineFile(dir: string, plan: PipelineFile): string {
  const file = path.join(dir, demoPipelineFileName);
  fs.writeFileSync(file, stringify(plan));
  return file;
}

/** A word the shell reads as itself: the demo's passwords are base64url, but a --dir may hold a space or a quote. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands a person pastes into another shell while the demo runs: the password variables
 * the file names, then status and up on that file.
 */
export function keptDemoFollowUp(file: string, demoEnv: NodeJS.ProcessEnv, i18n: Translator): string {
  const variables = Object.entries(demoEnv).map(([name, value]) => `${name}=${shellWord(value ?? "")}`);
  return [
    i18n.t("cli.pipeline.demoFile", { file }),
    `  export ${variables.join(" ")}`,
    `  npx portcullis pipeline status ${shellWord(file)}`,
    `  npx portcullis pipeline up ${shellWord(file)}`,
  ].join("\n");
}
