/**
 * Admission to password checks, per account or per address: at most `room` checks of one key
 * in flight at once, where `room` is what its limit still allows (lockout attempts less the
 * failures recorded, logins a minute less the failures counted).
 *
 * Why: a limit decided from a count read before the slow argon2 check lets a burst of parallel
 * guesses all read the same count, so all are checked. Refusing whatever is over the room would
 * bound them, but would also refuse the parallel calls of a script that sends the right password
 * with every HTTP Basic request; so the surplus waits, and reads the count again once a check has
 * ended and recorded its failure. In memory rather than as reservations in the database: a slot
 * reserved there reads to every other node like a failure, so their right passwords would be
 * refused while it is in flight, and one left by a process that died would hold the account shut
 * until cleared. The cost is that each node admits the room it reads, so n nodes may run n times it.
 */

interface Gate {
  inFlight: number;
  /** Requests queued or reading; with nothing in flight either, the gate is forgotten. */
  waiting: number;
  /** Checks that ended: a read begun before one ended may lack its failure and is done again. */
  ended: number;
  /** Admission is one request at a time, in arrival order: this settles when the last one queued is done. */
  turn: Promise<void>;
  wake: (() => void) | undefined;
}

/** Ends a check admitted by `admit`; call it once the check's failure, if any, is recorded. */
export type Release = () => void;

/** What a key's limit allows now, as read from the database, with whatever else the read found. */
export interface Room {
  /** Checks its limit still allows; 0 or less when it allows none (locked, allowance spent). */
  room: number;
}

export interface Admission<S extends Room> {
  /** The last reading: the one the check was admitted on, or the one that refused it. */
  state: S;
  /** Set when admitted. */
  release: Release | undefined;
}

const gatesByScope = new WeakMap<object, Map<string, Gate>>();

/**
 * Waits until a check of `key` may start, reading the room afresh each time a check of it ends;
 * refused at once (no release) when the reading says there is no room at all. `scope` is what the
 * keys belong to, the database, so two instances in one process keep apart.
 */
export async function admit<S extends Room>(scope: object, key: string, read: () => Promise<S>): Promise<Admission<S>> {
  let gates = gatesByScope.get(scope);
  if (!gates) gatesByScope.set(scope, (gates = new Map()));
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = { inFlight: 0, waiting: 0, ended: 0, turn: Promise.resolve(), wake: undefined }));
  gate.waiting++;
  const previous = gate.turn;
  let passTurn!: () => void;
  gate.turn = new Promise((resolve) => (passTurn = resolve));
  try {
    await previous;
    for (;;) {
      const ended = gate.ended;
      const state = await read();
      if (gate.ended !== ended) continue;
      if (state.room <= 0) return { state, release: undefined };
      if (gate.inFlight < state.room) {
        gate.inFlight++;
        return { state, release: releaseOf(gates, key, gate) };
      }
      await new Promise<void>((resolve) => (gate.wake = resolve));
    }
  } finally {
    gate.waiting--;
    passTurn();
    forgetIfIdle(gates, key, gate);
  }
}

function releaseOf(gates: Map<string, Gate>, key: string, gate: Gate): Release {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    gate.inFlight--;
    gate.ended++;
    const wake = gate.wake;
    gate.wake = undefined;
    wake?.();
    forgetIfIdle(gates, key, gate);
  };
}

function forgetIfIdle(gates: Map<string, Gate>, key: string, gate: Gate): void {
  if (gate.inFlight === 0 && gate.waiting === 0 && gates.get(key) === gate) gates.delete(key);
}
