import { z } from "zod";
import { ValidationError } from "./validation.ts";

/** The rules for a user account, whichever door (CLI, admin UI) creates it. */
export const userNamePattern = /^[A-Za-z0-9._@-]{1,100}$/;
export const minPasswordLength = 8;

const password = z.string().min(minPasswordLength, "validation.minChars").max(1000, "validation.maxChars");
const roleNamePattern = /^[a-z][a-z0-9_.]{0,99}$/;
// A wrong role is named as it was given, so "adminn!" reads back in the error rather than only the rule.
const roleName = z
  .string()
  .trim()
  .superRefine((role, ctx) => {
    if (role === "") ctx.addIssue({ code: "custom", message: "validation.mandatory" });
    else if (!roleNamePattern.test(role)) ctx.addIssue({ code: "custom", message: "validation.roleName", params: { role } });
  });
// A list of roles is one field, so each wrong entry is named: "Bad Role, itil" must say which one is wrong.
const roleNames = z.array(z.string().trim()).superRefine((roles, ctx) => {
  for (const [index, role] of roles.entries()) if (!roleNamePattern.test(role)) ctx.addIssue({ code: "custom", path: [index], message: "validation.roleName", params: { role } });
});
// sys_user's first_name and last_name hold 50 characters each (system-tables.ts).
const namePart = z.string().trim().max(50, "validation.maxChars").default("");
const nameParts = z.strictObject({ first_name: namePart, last_name: namePart });
const email = z.union([z.literal(""), z.email("validation.email")]).default("");

const newUserSchema = z.strictObject({
  user_name: z.string().trim().regex(userNamePattern, "validation.userName"),
  name: z.string().trim().max(200, "validation.maxChars").default(""),
  ...nameParts.shape,
  email,
  password,
  roles: roleNames.default([]),
});

export type NewUser = z.output<typeof newUserSchema>;

export function parseNewUser(input: unknown): NewUser {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** A first and last name as the CLI takes them, trimmed; absent is empty. */
export function parseNameParts(input: { first_name?: string | undefined; last_name?: string | undefined }): z.output<typeof nameParts> {
  const parsed = nameParts.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

/** An email address as the CLI takes it, by the New user form's rule; absent is empty. */
export function parseEmail(input: string | undefined): string {
  const parsed = email.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error).at("email");
  return parsed.data;
}

export function parseNewPassword(input: unknown): string {
  const parsed = password.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error).at("password");
  return parsed.data;
}

/** Roles given one by one (the CLI's repeated --role), each wrong one named, at the field "role"; each role once. */
export function parseRoleNames(input: string[]): string[] {
  const parsed = roleNames.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error).at("role");
  return [...new Set(parsed.data)];
}

export function parseRoleName(input: unknown): string {
  const parsed = roleName.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error).at("role");
  return parsed.data;
}
