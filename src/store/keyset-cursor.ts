import { sysIdPattern } from "../domain/sys-id.ts";

/**
 * Where a newest-first list resumes: the last row shown, by its time and its sys_id (rows of
 * one instant go by sys_id). Paging by position (OFFSET) would make the database walk every
 * row before the page, and rows added meanwhile would shift the pages under the reader.
 * In a URL it is `time,sys_id`; anything else is no cursor at all (the newest page).
 */
export interface KeysetCursor<T> {
  time: T;
  sysId: string;
}

const glideTime = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const epochMs = /^\d{1,15}$/;

function split(value: unknown): [string, string] | undefined {
  if (typeof value !== "string" || value.length > 80) return undefined;
  const comma = value.lastIndexOf(",");
  const sysId = value.slice(comma + 1);
  return comma > 0 && sysIdPattern.test(sysId) ? [value.slice(0, comma), sysId] : undefined;
}

/** A cursor over a `YYYY-MM-DD HH:MM:SS` column (sys_created_on). */
export function glideTimeCursor(value: unknown): KeysetCursor<string> | undefined {
  const parts = split(value);
  return parts && glideTime.test(parts[0]) ? { time: parts[0], sysId: parts[1] } : undefined;
}

/** A cursor over an epoch-milliseconds column. */
export function epochCursor(value: unknown): KeysetCursor<number> | undefined {
  const parts = split(value);
  return parts && epochMs.test(parts[0]) ? { time: Number(parts[0]), sysId: parts[1] } : undefined;
}

export const cursorParam = (cursor: KeysetCursor<string | number>): string => `${cursor.time},${cursor.sysId}`;
