import { z } from "zod";
import { ValidationError } from "./validation.ts";

/** The rules for a user account, whichever door (CLI, admin UI) creates it. */
export const userNamePattern = /^[A-Za-z0-9._@-]{1,100}$/;
export const minPasswordLength = 8;

const password = z.string().min(minPasswordLength, `must be at least ${minPasswordLength} characters`).max(1000, "must be at most 1000 characters");
const roleName = z.string().trim().regex(/^[a-z][a-z0-9_.]{0,99}$/, "use a lowercase letter, then letters, digits, _ or . (at most 100)");

const newUserSchema = z.strictObject({
  user_name: z.string().trim().regex(userNamePattern, "use 1 to 100 letters, digits, and . _ @ -"),
  name: z.string().trim().max(200, "must be at most 200 characters").default(""),
  email: z.union([z.literal(""), z.email("must be an email address")]).default(""),
  password,
  roles: z.array(roleName).default([]),
});

export type NewUser = z.output<typeof newUserSchema>;

export function parseNewUser(input: unknown): NewUser {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

export function parseNewPassword(input: unknown): string {
  const parsed = password.safeParse(input);
  if (!parsed.success) throw new ValidationError([{ field: "password", message: parsed.error.issues[0]?.message ?? "is not acceptable" }]);
  return parsed.data;
}

export function parseRoleName(input: unknown): string {
  const parsed = roleName.safeParse(input);
  if (!parsed.success) throw new ValidationError([{ field: "role", message: parsed.error.issues[0]?.message ?? "is not a role name" }]);
  return parsed.data;
}
