import type { Translator } from "../../i18n/translator.ts";
import { verifyPassword } from "../../domain/passwords.ts";
import type { Instance } from "../../instance.ts";
import { enforceLimit } from "../rate-limit.ts";
import { addHits, bucketWindowStart, countHit } from "../../store/rate-limit-store.ts";
import { clearLoginFailures, findUserForSignIn, recordLoginFailure, type User } from "../../store/user-store.ts";

export type LoginOutcome = { ok: true; user: User } | { ok: false; reason: "invalid" | "locked"; message: string; minutes?: number };

/** A failed login as a person reads it; `message` stays the English that OAuth's error_description carries. */
export function loginFailureText(outcome: { reason: "invalid" | "locked"; minutes?: number }, i18n: Translator): string {
  return outcome.reason === "locked" ? i18n.t("login.locked", { minutes: outcome.minutes ?? 0 }) : i18n.t("login.wrong");
}

/**
 * Checks a user name and password for the login form and the password grant alike; wrong
 * passwords in a row lock the account (config lockoutAttempts, lockoutMinutes). An
 * unknown name costs one password hash too, so timing does not tell which names exist.
 */
export async function checkPasswordLogin(instance: Instance, userName: string, password: string, ip: string, now = Date.now()): Promise<LoginOutcome> {
  // Counted per source address before any hash is computed, so guessing is slow and cheap to refuse.
  await enforceLimit(instance, "login-ip", ip, now);
  return verifyPasswordLogin(instance, userName, password, now);
}

/**
 * The check itself, lockout included, without the per-address count: for HTTP Basic on the
 * REST APIs, which sends the password with every call and so counts only failures.
 */
export async function verifyPasswordLogin(instance: Instance, userName: string, password: string, now = Date.now()): Promise<LoginOutcome> {
  const db = instance.store.db;
  const { lockoutAttempts, lockoutMinutes } = instance.config;
  const lockMs = lockoutMinutes * 60_000;
  // The user found, whatever the case typed, is the one whose failures count towards their lockout.
  const user = await findUserForSignIn(db, userName);
  const matches = await verifyPassword(user?.passwordHash, password);
  const locked = (until: number) => {
    const minutes = Math.ceil((until - now) / 60000);
    return { ok: false as const, reason: "locked" as const, message: `this account is locked after repeated failed logins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, minutes };
  };
  if (!user) {
    // Unknown names are counted and locked like real ones: the lockoutAttempts-th failure locks the
    // name for lockoutMinutes from then, so neither the message, its minutes nor the timing tells
    // which names exist. The lock is kept as a bucket whose window starts when the lock ends.
    const name = userName.toLowerCase();
    const lockedUntil = await bucketWindowStart(db, `login-lock:${name}`);
    if (lockedUntil !== null && lockedUntil > now) return locked(lockedUntil);
    const failures = await countHit(db, `login-failure:${name}`, lockMs, now);
    if (failures >= lockoutAttempts) await addHits(db, `login-lock:${name}`, now + lockMs, 1);
    return { ok: false, reason: "invalid", message: "the user name or password is wrong" };
  }
  if (user.lockedUntil !== null && user.lockedUntil > now) return locked(user.lockedUntil);
  if (!matches || !user.active) {
    if (!matches) await recordLoginFailure(db, user.sysId, lockoutAttempts, lockMs, now);
    return { ok: false, reason: "invalid", message: "the user name or password is wrong" };
  }
  if (user.failedAttempts > 0) await clearLoginFailures(db, user.sysId);
  return { ok: true, user };
}
