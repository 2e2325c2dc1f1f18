/**
 * Optimistic concurrency for edits: a record's version is its sys_mod_count, which every
 * write raises by one. An edit made against a version that is no longer current (an admin form
 * opened before someone else saved, a script's read-modify-write) is refused instead of silently
 * overwriting the change made in between, the "lost update". The admin forms carry the version
 * they were drawn from; the registry API takes it as RFC 9110 §13.1.1 `If-Match`, with
 * `ETag: "<sys_mod_count>"` on the record it answers.
 */

/** The versions an edit may apply to; `undefined` wherever one appears means "any". */
export type ExpectedVersions = readonly number[];

export interface RecordVersion {
  modCount: number;
  updatedBy: string;
  updatedOn: string;
}

export class StaleRecordError extends Error {
  constructor(readonly current: RecordVersion) {
    super(`the record was changed since it was read: it is now version ${current.modCount}, saved by ${current.updatedBy} at ${current.updatedOn}`);
  }
}

/** Throws when the record is not at one of the expected versions. */
export function assertVersion(current: RecordVersion, expected: ExpectedVersions | undefined): void {
  if (expected !== undefined && !expected.includes(current.modCount)) throw new StaleRecordError(current);
}

export const entityTag = (modCount: number): string => `"${modCount}"`;

/**
 * The version a form carries in its hidden `sys_mod_count` field. A page drawn before forms
 * carried one sets no condition; an altered one matches no version, so the save is refused.
 */
export function formVersion(value: string | null): ExpectedVersions | undefined {
  if (value === null) return undefined;
  return /^(?:0|[1-9]\d{0,14})$/.test(value) ? [Number(value)] : [];
}

/** The version a re-rendered form carries on: the one it came with; for an altered one, a number no record has, so the save is still refused. */
export function carriedVersion(expected: ExpectedVersions | undefined): number | undefined {
  return expected === undefined ? undefined : (expected[0] ?? -1);
}

export class MalformedPreconditionError extends Error {}

/** One list element: an entity tag or nothing (RFC 9110 §5.6.1.2: empty elements are ignored), then a comma or the end. */
const listElement = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|$)/y;

/**
 * An `If-Match` header as versions: `*` (or no header) sets no condition, since the record's
 * existence is checked anyway; tags are compared strongly, character for character, so a weak
 * `W/"3"`, `"03"` or a tag this server never issued matches nothing and the edit is refused (412).
 */
export function ifMatchVersions(header: string | undefined): ExpectedVersions | undefined {
  if (!asksForVersion(header)) return undefined;
  const versions: number[] = [];
  listElement.lastIndex = 0;
  for (;;) {
    const at = listElement.lastIndex;
    const element = listElement.exec(header!);
    if (!element) throw new MalformedPreconditionError(`If-Match must be "*" or a list of entity tags such as "3", not ${JSON.stringify(header!.slice(0, 60))}`);
    const [, weak, tag, end] = element;
    if (tag !== undefined && !weak && /^(?:0|[1-9]\d{0,14})$/.test(tag)) versions.push(Number(tag));
    if (end === "" || listElement.lastIndex === at) break;
  }
  return versions;
}

/** Whether the request named versions: an `If-Match` other than `*`. */
export function asksForVersion(header: string | undefined): boolean {
  return header !== undefined && header.trim() !== "*";
}
