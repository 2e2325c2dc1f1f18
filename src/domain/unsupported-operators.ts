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
  ["DYNAMIC", "of the dynamic filter options only Me (DYNAMIC90d1921e5f510100a9ad2572f2b477fe, or =javascript:gs.getUserID()) is supported: the others run scripts, and this instance runs none in queries"],
  ["MATCH_RGX", "use LIKE, STARTSWITH or ENDSWITH instead of a regular expression"],
];

/** Segments that are not conditions but query structures of the platform, refused by name. */
const relatedList = "related-list queries (RLQUERY…^ENDRLQUERY) are not supported here; query the related table and filter on its reference";
const subquery = "subqueries (SUBQUERY…^ENDSUBQUERY) are not supported here; a dot-walk such as caller_id.active=true filters on a referenced record";
const unsupportedSegments: [string, string][] = [
  ["RLQUERY", relatedList],
  ["ENDRLQUERY", relatedList],
  ["SUBQUERY", subquery],
  ["ENDSUBQUERY", subquery],
  ["GOTO", "GOTO (the list's Go to search) is not supported here; write the condition without it"],
];

/** Why a segment that starts with one of these structures is refused; undefined for anything else. */
export function unsupportedSegment(segment: string): string | undefined {
  return unsupportedSegments.find(([keyword]) => segment.startsWith(keyword))?.[1];
}

/** The platform operator `rest` (the text after the field) starts with and why it is refused; undefined when it names none of them. */
export function unsupportedOperator(rest: string): { operator: string; reason: string } | undefined {
  const found = unsupported.find(([name]) => rest.startsWith(name));
  return found && { operator: found[0], reason: found[1] };
}
