import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ConfigError } from "../config.ts";
import { ProviderError } from "../consumer/provider-http.ts";
import { StaleRecordError } from "../domain/record-version.ts";
import { worded } from "../i18n/stored-text.ts";
import { toLocale } from "../i18n/locale.ts";
import { issueText, NotFoundError, ValidationError } from "../domain/validation.ts";
import { StoreError } from "../store/database.ts";
import { WorkerStartFailed } from "../worker-start.ts";
import { Interrupted } from "./interruption.ts";
import { PartlyDone } from "./partly-done.ts";
import { clientCommand } from "./commands/client.ts";
import { pipelineCommand } from "./commands/pipeline.ts";
import { providerCommand } from "./commands/provider.ts";
import { startCommand } from "./commands/start.ts";
import { userCommand } from "./commands/user.ts";
import { cliTranslator } from "./cli-language.ts";
import { localizeHelp, localizeParseError } from "./localized-help.ts";
import { checkRequiredOptionsLast } from "./required-options.ts";
import { type Output, processOutput } from "./output.ts";
import { packageVersion } from "./package-version.ts";

/** Runs the CLI and returns the exit code: 0 done, 1 failed, 2 bad usage or input, 3 not found, 4 done but something left to do by hand. */
export async function main(argv: string[], output: Output = processOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const i18n = cliTranslator(argv, env);
  const { t } = i18n;
  // Read before parsing by cliTranslator; declared so commander accepts it anywhere and refuses a language we lack.
  const langOption = () =>
    new Option("--lang <language>", t("cli.option.lang")).argParser((value: string) => {
      if (!toLocale(value)) throw new InvalidArgumentError(t("cli.error.lang", { value }));
      return value;
    });
  const outputConfig = { writeOut: (s: string) => output.out(s), writeErr: (s: string) => output.err(s), outputError: (s: string, write: (s: string) => void) => write(localizeParseError(s, i18n)) };
  const program = new Command("portcullis")
    .description(t("cli.description"))
    .addOption(langOption())
    .version(packageVersion(), "-V, --version", t("help.versionOption"))
    .showHelpAfterError(t("help.afterError", { command: "portcullis" }))
    .exitOverride()
    .configureOutput(outputConfig);
  for (const command of [startCommand(output, env, i18n), clientCommand(output, env, i18n), userCommand(output, env, i18n), providerCommand(output, env, i18n), pipelineCommand(output, env, i18n)]) program.addCommand(command);
  // Subcommands inherit the overrides so their errors come back here too. A usage error names
  // the help to read rather than printing it whole, which scrolls the error itself out of sight.
  localizeHelp(program, i18n);
  program.commands.forEach(function inherit(command: Command) {
    const path = [];
    for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
    command.addOption(langOption());
    localizeHelp(command, i18n);
    checkRequiredOptionsLast(command);
    command.exitOverride().showHelpAfterError(t("help.afterError", { command: path.join(" ") })).configureOutput(outputConfig);
    command.commands.forEach(inherit);
  });

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // A cluster worker that could not start: its primary says why, once for every worker.
    if (error instanceof WorkerStartFailed) return error.exitCode;
    // Ctrl-C or SIGTERM before the command finished starting: it said what it undid.
    if (error instanceof Interrupted) return error.exitCode;
    if (error instanceof ValidationError) {
      output.err(`portcullis: ${t("cli.error.invalidInput")}\n${error.issues.map((i) => `  ${i.field || t("cli.error.input")}: ${issueText(i, i18n)}`).join("\n")}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      output.err(`portcullis: ${error.text ? t(error.text.key, error.text.values) : error.message}`);
      return 2;
    }
    if (error instanceof StaleRecordError) {
      output.err(`portcullis: ${t("cli.error.stale", { user: error.current.updatedBy, time: error.current.updatedOn })}`);
      return 1;
    }
    if (error instanceof PartlyDone) {
      output.err(`portcullis: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof NotFoundError) {
      output.err(`portcullis: ${error.message}`);
      return 3;
    }
    if (error instanceof ProviderError) {
      output.err(`portcullis: ${worded(error.text, t)}`);
      return 1;
    }
    if (error instanceof StoreError) {
      output.err(`portcullis: ${error.text ? t(error.text.key, error.text.values) : error.message}`);
      return 1;
    }
    output.err(`portcullis: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}
