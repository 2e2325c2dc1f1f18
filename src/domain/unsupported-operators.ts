/**
 * Operators the platform's condition builder writes that this instance does not evaluate, with
 * what to use instead. Named here so that such a condition is a 400 saying so, rather than "no
 * operator", and so that INSTANCEOF is never read as IN with the value "STANCEOF…".
 */
const unsupported: [string, string][] = [
  ["VALCHANGES", "it tests a change being saved, in business rule and notification conditions, and a stored record has none"],
  ["CHANGESFROM", "it tests a change being saved, in business rule and notification conditions, and a stored record has none"],
  ["CHANGESTO", "it tests a change being saved, in business rule and notification conditions, and a stored record has none"],
  ["RELATIVEGT", "use > with a date macro instead: sys_created_on>javascript:gs.hoursAgo(3)"],
  ["RELATIVEGE", "use >= with a date macro instead: sys_created_on>=javascript:gs.daysAgo(3)"],
  ["RELATIVELT", "use < with a date macro instead: sys_created_on<javascript:gs.hoursAgo(3)"],
  ["RELATIVELE", "use <= with a date macro instead: sys_created_on<=javascript:gs.daysAgo(3)"],
  ["RELATIVEEE", "use ON with the period's bounds instead: sys_created_onON3 days ago@javascript:gs.daysAgoStart(3)@javascript:gs.daysAgoEnd(3)"],
  ["DATEPART", "a part of a date, such as a weekday or an hour, cannot be filtered on here; use BETWEEN or ON with date macros"],
  ["MORETHAN", "comparing with another field plus an interval is not supported"],
  ["LESSTHAN", "comparing with another field plus an interval is not supported"],
  ["GT_OR_EQUALS_FIELD", "comparing with another field is supported only as SAMEAS and NSAMEAS"],
  ["LT_OR_EQUALS_FIELD", "comparing with another field is supported only as SAMEAS and NSAMEAS"],
  ["GT_FIELD", "comparing with another field is supported only as SAMEAS and NSAMEAS"],
  ["LT_FIELD", "comparing with another field is supported only as SAMEAS and NSAMEAS"],
  ["INSTANCEOF", "this instance's tables have no class hierarchy to test"],
  ["DYNAMIC", "dynamic filter options run scripts, and this instance runs none in queries"],
];

/** The platform operator `rest` (the text after the field) starts with and why it is refused; undefined when it names none of them. */
export function unsupportedOperator(rest: string): { operator: string; reason: string } | undefined {
  const found = unsupported.find(([name]) => rest.startsWith(name));
  return found && { operator: found[0], reason: found[1] };
}
