import { macroPrefix } from "./date-macros.ts";

/**
 * A quoted text after `javascript:` in an encoded-query value (`u_note=javascript:'javascript:x'`)
 * stands for that text. On the platform the script is run and a string literal evaluates to
 * itself; here it is read by a regular grammar and never run. It is how a value that itself
 * begins with `javascript:` is written, and so how GlideAggregate's encoded query of such a
 * group (glide-aggregate-query.ts) selects it instead of being refused or read as a macro.
 *
 * Only the escapes a JavaScript string literal needs for any text are read: `\\`, `\'`, `\"`,
 * `\n`, `\r` and `\t`; the others are refused rather than guessed at.
 */
const literal = /^javascript:\s*(?:'((?:[^'\\\n\r]|\\.)*)'|"((?:[^"\\\n\r]|\\.)*)")\s*;?\s*$/s;
const escapes: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", r: "\r", t: "\t" };
const quotedAs: Record<string, string> = { "\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export class ScriptLiteralError extends Error {}

/** The text a `javascript:'…'` operand stands for; undefined when it is no quoted text. */
export function readScriptLiteral(operand: string): string | undefined {
  const match = literal.exec(operand);
  if (!match) return undefined;
  return (match[1] ?? match[2]!).replace(/\\(.)/gs, (_, ch: string) => {
    const text = escapes[ch];
    if (text === undefined) throw new ScriptLiteralError(`"${operand.slice(0, 60)}": \\${ch} is not an escape this instance reads in quoted text (\\\\, \\', \\", \\n, \\r, \\t are)`);
    return text;
  });
}

/** `value` as an operand the encoded query reads back as that text: quoted when it would read as a script. */
export function scriptSafeOperand(value: string): string {
  if (!value.startsWith(macroPrefix)) return value;
  const quoted = value.replace(/[\\'\n\r\t]/g, (ch) => quotedAs[ch]!);
  return `${macroPrefix}'${quoted}'`;
}
