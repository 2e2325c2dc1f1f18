import type { Command, Option } from "commander";

/** The options declared required, which --help marks so (localized-help.ts) once commander no longer knows them as such. */
const requiredOptions = new WeakSet<Option>();

export function isRequiredOption(option: Option): boolean {
  return option.mandatory || requiredOptions.has(option);
}

/**
 * Required options checked after commander's unknown-option check, not before it. Commander
 * looks for missing required options first, so `client create --nmae x` said --name was missing;
 * the mistyped option is the cause, and its error suggests the right one. The options stay
 * declared with `requiredOption`; here they become plain options checked just before the action,
 * with commander's own wording (which src/cli/localized-help.ts translates).
 */
export function checkRequiredOptionsLast(command: Command): void {
  const required = command.options.filter((option) => option.mandatory);
  if (required.length === 0) return;
  for (const option of required) {
    requiredOptions.add(option);
    option.makeOptionMandatory(false);
  }
  command.hook("preAction", (_hooked, action) => {
    if (action !== command) return;
    const missing = required.find((option) => command.getOptionValue(option.attributeName()) === undefined);
    if (missing) command.error(`error: required option '${missing.flags}' not specified`, { exitCode: 2, code: "commander.missingMandatoryOptionValue" });
  });
}
