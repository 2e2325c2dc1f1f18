import type { Translator } from "../../i18n/translator.ts";
import { verifyPassword } from "../../domain/passwords.ts";
import type { Instance } from "../../instance.ts";
import { enforceLimit } from "../rate-limit.ts";
import { clearLoginFailures, findUserForSignIn, type User } from "../../store/user-store.ts";
import { lockoutOf } from "./account-lockout.ts";
import { admit } from "./admission.ts";

export type LoginOutcome = { ok: true; user: User } | LoginFailure;

export type LoginFailure = { ok: false; reason: "invalid" | "locked"; message: string; minutes?: number };

/** A wrong name or password; also a right one whose user changed password or was deactivated before the sign-in was written. */
export const invalidLogin: LoginFailure = { ok: false, reason: "invalid", message: "the user name or password is wrong" };

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
  return verifyPasswordLogin(instance, userName, password);
}

/**
 * The check itself, lockout included, without the per-address count: for HTTP Basic on the
 * REST APIs, which sends the password with every call and so counts only failures.
 */
export async function verifyPasswordLogin(instance: Instance, userName: string, password: string): Promise<LoginOutcome> {
  const db = instance.store.db;
  // The user found, whatever the case typed, is the one whose failures count towards their lockout.
  const lockout = lockoutOf(instance, await findUserForSignIn(db, userName), userName);
  // No more checks in flight than the lockout has attempts left, each read after the last one's
  // failure was recorded: so parallel guesses are held to lockoutAttempts (src/http/identity/admission.ts).
  const { state, release } = await admit(db, lockout.key, () => lockout.read(Date.now()));
  if (!release) return locked(state.lockedUntil ?? 0, Date.now());
  try {
    const { user } = state;
    const matches = await verifyPassword(user?.passwordHash, password);
    if (!matches) await lockout.recordFailure(Date.now());
    if (!user || !matches || !user.active) return invalidLogin;
    if (user.failedAttempts > 0) await clearLoginFailures(db, user.sysId);
    return { ok: true, user };
  } finally {
    release();
  }
}

function locked(until: number, now: number): LoginOutcome {
  const minutes = Math.ceil((until - now) / 60000);
  return { ok: false, reason: "locked", message: `this account is locked after repeated failed logins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, minutes };
}
