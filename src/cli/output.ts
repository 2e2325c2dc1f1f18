import stringWidth from "string-width";

/** Writes what a command prints: data to stdout, messages to stderr, so `--json` output can be piped. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/**
 * A stream whose reader has gone (`portcullis pipeline up … | head`) is written to no more; the
 * command itself runs to its end, since stopping half-way through `pipeline up` would leave the
 * instances half-configured. Any other stream error is still thrown.
 */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  let readerGone = false;
  let listening = false;
  return (text) => {
    if (!listening) {
      listening = true;
      stream.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        readerGone = true;
      });
    }
    if (!readerGone) stream.write(text.endsWith("\n") ? text : `${text}\n`);
  };
}

export const processOutput: Output = { out: writer(process.stdout), err: writer(process.stderr) };

/** Pads by terminal columns, not UTF-16 units: a Hangul syllable takes two columns. */
export function padColumns(text: string, columns: number): string {
  return text + " ".repeat(Math.max(0, columns - stringWidth(text)));
}

/**
 * The rule under the last column stops here: that column is left ragged, and one long value (a
 * broken pipeline edge's reason runs to 500 characters) would otherwise draw a rule that wraps
 * over several terminal lines.
 */
const lastRuleMaxColumns = 40;

/** A plain aligned table for people; scripts use --json. */
export function table(headings: string[], rows: string[][]): string {
  const widths = headings.map((h, i) => Math.max(stringWidth(h), ...rows.map((r) => stringWidth(r[i] ?? ""))));
  const line = (cells: string[]) => cells.map((c, i) => padColumns(c, widths[i]!)).join("  ").trimEnd();
  const last = widths.length - 1;
  const rules = widths.map((w, i) => "-".repeat(i === last ? Math.max(stringWidth(headings[i]!), Math.min(w, lastRuleMaxColumns)) : w));
  return [line(headings), line(rules), ...rows.map(line)].join("\n");
}

export function keyValues(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return Object.entries(record)
    .map(([k, v]) => `${k.padEnd(width)}  ${String(v)}`)
    .join("\n");
}
