/** Where log lines go: pino's destinations and the test streams alike take one string at a time. */
export interface LineDestination {
  write(text: string): unknown;
}

/**
 * Log lines gathered into blocks of about `blockSize` characters before they reach the
 * destination, in the order written. sonic-boom, pino's destination, buffers too, but measures the
 * byte length of its whole pending string on every write: with a 4 KiB buffer that cost about
 * 2 µs a line here, as much as a write(2) of the line itself, where an array joined once per
 * block costs about 0.2 µs. sonic-boom still does the writing (its retries on EAGAIN included),
 * one block at a time.
 */
export class LineBatch implements LineDestination {
  #lines: string[] = [];
  #size = 0;

  constructor(
    private readonly destination: LineDestination,
    private readonly blockSize = 4096,
  ) {}

  write(line: string): boolean {
    this.#lines.push(line);
    this.#size += line.length;
    if (this.#size >= this.blockSize) this.flush();
    return true;
  }

  /** Hands what is gathered to the destination now (on a timer, and at exit). */
  flush(): void {
    if (this.#lines.length === 0) return;
    const block = this.#lines.length === 1 ? this.#lines[0]! : this.#lines.join("");
    this.#lines = [];
    this.#size = 0;
    this.destination.write(block);
  }
}
