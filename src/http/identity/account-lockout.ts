import type { Instance } from "../../instance.ts";
import { addHits, bucketWindowStart, countHit, currentHits } from "../../store/rate-limit-store.ts";
import { findUserById, recordLoginFailure, type User } from "../../store/user-store.ts";
import type { Room } from "./admission.ts";

/** A sign-in name's lockout as stored now. */
export interface LockoutState extends Room {
  /** The user as stored now; undefined for a name no user has. */
  user: User | undefined;
  /** Until when the name is locked, or null when it is not. */
  lockedUntil: number | null;
}

/** The lockout of the account a sign-in names (config lockoutAttempts, lockoutMinutes). */
export interface AccountLockout {
  /** What its checks are admitted under (src/http/identity/admission.ts). */
  readonly key: string;
  read(now: number): Promise<LockoutState>;
  /** Counts a wrong password; the lockoutAttempts-th in a row locks for lockoutMinutes. */
  recordFailure(now: number): Promise<void>;
}

/** The lockout of `user`, the one the sign-in found, or of the name typed when it found none. */
export function lockoutOf(instance: Instance, user: User | undefined, userName: string): AccountLockout {
  return user ? userLockout(instance, user.sysId) : unknownNameLockout(instance, userName.toLowerCase());
}

function userLockout(instance: Instance, sysId: string): AccountLockout {
  const { lockoutAttempts, lockoutMinutes } = instance.config;
  const db = instance.store.db;
  return {
    key: `user:${sysId}`,
    async read(now) {
      const user = await findUserById(db, sysId);
      if (!user) return { user, lockedUntil: null, room: 1 };
      if (user.lockedUntil !== null && user.lockedUntil > now) return { user, lockedUntil: user.lockedUntil, room: 0 };
      // A lock that ran out starts the count afresh (recordLoginFailure); a count already past a
      // lowered lockoutAttempts still allows the one check that locks.
      return { user, lockedUntil: null, room: user.lockedUntil !== null ? lockoutAttempts : Math.max(1, lockoutAttempts - user.failedAttempts) };
    },
    async recordFailure(now) {
      await recordLoginFailure(db, sysId, lockoutAttempts, lockoutMinutes * 60_000, now);
    },
  };
}

/**
 * Unknown names are counted and locked like real ones: the lockoutAttempts-th failure locks the
 * name for lockoutMinutes from then, so neither the message, its minutes nor the timing tells
 * which names exist. The failures count in a fixed window as long as a lock, so the window has
 * moved on when the lock ends; the lock is kept as a bucket whose window starts when it ends.
 */
function unknownNameLockout(instance: Instance, name: string): AccountLockout {
  const { lockoutAttempts, lockoutMinutes } = instance.config;
  const db = instance.store.db;
  const lockMs = lockoutMinutes * 60_000;
  const failures = `login-failure:${name}`;
  const lock = `login-lock:${name}`;
  return {
    key: `name:${name}`,
    async read(now) {
      const lockedUntil = await bucketWindowStart(db, lock);
      if (lockedUntil !== null && lockedUntil > now) return { user: undefined, lockedUntil, room: 0 };
      return { user: undefined, lockedUntil: null, room: Math.max(1, lockoutAttempts - (await currentHits(db, failures, lockMs, now))) };
    },
    async recordFailure(now) {
      if ((await countHit(db, failures, lockMs, now)) >= lockoutAttempts) await addHits(db, lock, now + lockMs, 1);
    },
  };
}
