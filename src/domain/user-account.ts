import { z } from "zod";
import { ValidationError } from "./validation.ts";

/** The rules for a user account, whichever door (CLI, admin UI) creates it. */
export const userNamePattern = /^[A-Za-z0-9._@-]{1,100}$/;
export const minPasswordLength = 8;

const password = z.string().min(minPasswordLength, "validation.minChars").max(1000, "validation.maxChars");
const roleName = z.string().trim().regex(/^[a-z][a-z0-9_.]{0,99}$/, "validation.roleName");

const newUserSchema = z.strictObject({
  user_name: z.string().trim().regex(userNamePattern, "validation.userName"),
  name: z.string().trim().max(200, "validation.maxChars").default(""),
  email: z.union([z.literal(""), z.email("validation.email")]).default(""),
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
  if (!parsed.success) throw ValidationError.fromZod(parsed.error).at("password");
  return parsed.data;
}

export function parseRoleName(input: unknown): string {
  const parsed = roleName.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error).at("role");
  return parsed.data;
}
