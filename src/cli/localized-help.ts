import type { Command, HelpConfiguration, Option } from "commander";
import stringWidth from "string-width";
import { isRequiredOption } from "./required-options.ts";
import type { MessageKey, Translator } from "../i18n/translator.ts";

/** Commander's own section titles, as it passes them to styleTitle. */
const titles: Record<string, MessageKey> = {
  "Usage:": "help.title.usage",
  "Options:": "help.title.options",
  "Global Options:": "help.title.globalOptions",
  "Commands:": "help.title.commands",
  "Arguments:": "help.title.arguments",
};

/**
 * `--help` in the reader's language: commander's titles, its help option and help command from
 * the catalogs, defaults and required options worded there too, and columns measured in terminal cells (commander
 * counts UTF-16 units, which misaligns Hangul).
 */
export function localizeHelp(command: Command, i18n: Translator): Command {
  const { t } = i18n;
  const help: HelpConfiguration = {
    styleTitle: (title) => (titles[title] ? t(titles[title]) : title),
    displayWidth: (text) => stringWidth(text),
    // Commander leaves a description unwrapped when fewer than 40 columns are left beside the
    // terms; `provider call <provider> <method> <path>` leaves 35 at 80 columns, and its lines ran to 125.
    minWidthToWrap: 24,
    optionDescription: (option: Option) => {
      const required = isRequiredOption(option) ? ` ${t("help.required")}` : "";
      const shown = option.defaultValue !== undefined && (option.required || option.optional);
      if (!shown) return `${option.description}${required}`;
      const value = option.defaultValueDescription ?? JSON.stringify(option.defaultValue);
      return `${option.description}${required} ${t("help.default", { value })}`;
    },
  };
  command.configureHelp(help).helpOption("-h, --help", t("help.helpOption"));
  if (command.commands.length > 0) command.helpCommand("help [command]", t("help.helpOption"));
  return command;
}

/** Commander's parse errors, as it words them, and the catalog message each becomes. */
const parseErrors: [RegExp, MessageKey, string[]][] = [
  [/^error: unknown option '([^']+)'/, "help.error.unknownOption", ["option"]],
  [/^error: unknown command '([^']+)'/, "help.error.unknownCommand", ["command"]],
  [/^error: missing required argument '([^']+)'/, "help.error.missingArgument", ["argument"]],
  [/^error: required option '([^']+)' not specified/, "help.error.missingOption", ["option"]],
  [/^error: option '([^']+)' argument missing/, "help.error.optionArgumentMissing", ["option"]],
  [/^error: option '([^']+)' argument '([^']*)' is invalid\. ([^\n]*)/, "help.error.invalidOptionArgument", ["option", "value", "reason"]],
  [/^error: too many arguments(?: for '[^']+')?\. Expected (\d+) arguments? but got (\d+)\./, "help.error.tooManyArguments", ["expected", "received"]],
];

/** A commander parse error in the reader's language; one it does not recognise is passed on as worded. */
export function localizeParseError(text: string, i18n: Translator): string {
  let out = text;
  for (const [pattern, key, names] of parseErrors) {
    const match = pattern.exec(out);
    if (!match) continue;
    const values = Object.fromEntries(names.map((name, index) => [name, /^\d+$/.test(match[index + 1] ?? "") && key === "help.error.tooManyArguments" ? Number(match[index + 1]) : (match[index + 1] ?? "")]));
    out = out.replace(match[0], i18n.t(key, values));
    break;
  }
  return out.replace(/\(Did you mean (?:one of )?([^?]+)\?\)/, (_, suggestion: string) => i18n.t("help.error.didYouMean", { suggestion }));
}
