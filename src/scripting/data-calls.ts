import type { SyncDataAnswer } from "./sandbox-contract.ts";

/**
 * The data calls of one script run. The host's store work is not QuickJS's, so the interrupt
 * handler cannot stop it: a script that queued a thousand 1,000-row queries ran 13 s past a
 * 2 s limit, holding the event loop and gigabytes of rows, while the run waited for them all.
 * So a run starts only a few calls at once and queues the rest, starts nothing once its time
 * is up or its answer is decided (the queue is dropped, never run), and may read only so many
 * records in all.
 */
export interface DataCallLimits {
  /** Calls a run may make in all. */
  maxDataCalls: number;
  /** Calls started and not yet answered; more wait in the run's queue. */
  maxDataCallsInFlight: number;
  /** Records a run may read: `get` and `query` results, GlideRecord's pages, gets and walks, and GlideAggregate's groups together. */
  maxRowsRead: number;
}

type Call = (operation: string, args: unknown[]) => Promise<unknown>;
type SyncCall = (operation: string, args: unknown[]) => SyncDataAnswer;

export class RowLimitError extends Error {}
export class CallLimitError extends Error {}
/** A synchronous call found the run's time up, before it started or while it waited. */
export class OutOfTimeError extends Error {}

// A GlideAggregate group counts as a record read: a run cannot group its way past the limit.
const reads = new Set(["get", "query", "glideGet", "glideQuery", "glideAggregate"]);

function rowsIn(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  return result === null || result === undefined ? 0 : 1;
}

export class DataCalls {
  private made = 0;
  private inFlight = 0;
  private rowsRead = 0;
  private closed = false;
  private readonly queue: (() => void)[] = [];
  private readonly started: Promise<unknown>[] = [];

  constructor(
    private readonly limits: DataCallLimits,
    private readonly host: Call,
    /** False once the run's time is up: nothing more starts. */
    private readonly inTime: () => boolean,
  ) {}

  /** Throws when the run has made all its calls; otherwise the call's eventual result. */
  call(operation: string, args: unknown[]): Promise<unknown> {
    if (++this.made > this.limits.maxDataCalls) throw this.callLimit();
    return new Promise((resolve, reject) => {
      this.queue.push(() => {
        if (this.rowsRead >= this.limits.maxRowsRead && reads.has(operation)) return reject(this.rowLimit());
        this.inFlight += 1;
        const call = this.host(operation, args).then((result) => {
          if (reads.has(operation)) this.rowsRead += rowsIn(result);
          if (this.rowsRead > this.limits.maxRowsRead) throw this.rowLimit();
          return result;
        });
        this.started.push(call);
        call.then(resolve, reject).finally(() => {
          this.inFlight -= 1;
          this.pump();
        });
      });
      this.pump();
    });
  }

  /**
   * A call the script waits for (GlideRecord's): counted against the same limits. It skips the
   * queue, since the script thread sleeps until it returns: with it at most one call more than
   * maxDataCallsInFlight is under way.
   */
  callSync(operation: string, args: unknown[], host: SyncCall): SyncDataAnswer {
    if (++this.made > this.limits.maxDataCalls) throw this.callLimit();
    if (this.closed || !this.inTime()) throw new OutOfTimeError("the script ran out of time");
    if (this.rowsRead >= this.limits.maxRowsRead && reads.has(operation)) throw this.rowLimit();
    const answer = host(operation, args);
    if ("timedOut" in answer) throw new OutOfTimeError("the script ran out of time");
    if (answer.ok && reads.has(operation)) this.rowsRead += rowsIn(answer.value);
    if (this.rowsRead > this.limits.maxRowsRead) throw this.rowLimit();
    return answer;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.limits.maxDataCallsInFlight && this.queue.length > 0) {
      if (!this.inTime()) return this.close();
      this.queue.shift()!();
    }
  }

  private callLimit(): CallLimitError {
    return new CallLimitError(`a script may make at most ${this.limits.maxDataCalls} data calls`);
  }

  private rowLimit(): RowLimitError {
    return new RowLimitError(`a script may read at most ${this.limits.maxRowsRead} records per run`);
  }

  /** The run's answer is decided: queued calls are dropped, never started. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  /** Waits for the calls already started, so no write lands after the answer. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.started);
  }
}
