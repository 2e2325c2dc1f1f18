import type { Command, HelpConfiguration, Option } from "commander";
import stringWidth from "string-width";
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
 * the catalogs, defaults worded there too, and columns measured in terminal cells (commander
 * counts UTF-16 units, which misaligns Hangul).
 */
export function localizeHelp(command: Command, i18n: Translator): Command {
  const { t } = i18n;
  const help: HelpConfiguration = {
    styleTitle: (title) => (titles[title] ? t(titles[title]) : title),
    displayWidth: (text) => stringWidth(text),
    optionDescription: (option: Option) => {
      const shown = option.defaultValue !== undefined && (option.required || option.optional);
      if (!shown) return option.description;
      const value = option.defaultValueDescription ?? JSON.stringify(option.defaultValue);
      return `${option.description} ${t("help.default", { value })}`;
    },
  };
  command.configureHelp(help).helpOption("-h, --help", t("help.helpOption"));
  if (command.commands.length > 0) command.helpCommand("help [command]", t("help.helpOption"));
  return command;
}
