/**
 * How deep a request body may nest. Far past any real payload, and far short of what breaks
 * the stack: at a few thousand levels JSON.stringify and postMessage throw RangeError (the
 * script threads, the audit), which answered a client's mistake with a 500.
 */
export const maxBodyDepth = 64;

/**
 * Whether JSON text nests deeper than maxBodyDepth, read from the text in one pass (brackets
 * inside strings do not count), so a body is refused before anything walks its value.
 */
export function nestsTooDeep(text: string): boolean {
  if (text.length <= 2 * maxBodyDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxBodyDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
