import { verifyPassword } from "../../domain/passwords.ts";
import type { Instance } from "../../instance.ts";
import { clearLoginFailures, findUserByName, recordLoginFailure, type User } from "../../store/user-store.ts";

export type LoginOutcome = { ok: true; user: User } | { ok: false; reason: "invalid" | "locked"; message: string };

/**
 * Checks a user name and password for the login form and the password grant alike; wrong
 * passwords in a row lock the account (config lockoutAttempts, lockoutMinutes). An
 * unknown name costs one password hash too, so timing does not tell which names exist.
 */
export async function checkPasswordLogin(instance: Instance, userName: string, password: string, now = Date.now()): Promise<LoginOutcome> {
  const db = instance.store.db;
  const { lockoutAttempts, lockoutMinutes } = instance.config;
  const user = await findUserByName(db, userName);
  const matches = await verifyPassword(user?.passwordHash, password);
  if (user && user.lockedUntil !== null && user.lockedUntil > now) {
    const minutes = Math.ceil((user.lockedUntil - now) / 60000);
    return { ok: false, reason: "locked", message: `this account is locked after repeated failed logins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}` };
  }
  if (!user || !matches || !user.active) {
    if (user && !matches) await recordLoginFailure(db, user.sysId, lockoutAttempts, lockoutMinutes * 60_000, now);
    return { ok: false, reason: "invalid", message: "the user name or password is wrong" };
  }
  if (user.failedAttempts > 0) await clearLoginFailures(db, user.sysId);
  return { ok: true, user };
}
