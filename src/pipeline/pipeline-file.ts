import fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { userNamePattern } from "../domain/user-account.ts";
import { issue, ValidationError } from "../domain/validation.ts";

/**
 * A pipeline file names the instances: `production` (the controller) and the non-production
 * ones. How to sign in as admin is given as environment variable names, never as secrets.
 *
 *   production: { name: production, url: https://prod.example, admin: { user: admin, password_env: PROD_ADMIN_PASSWORD } }
 *   instances:
 *     - { name: development, url: https://dev.example, admin: { user: admin, password_env: DEV_ADMIN_PASSWORD }, token_user: svc_pipeline }
 */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "validation.envName");

const instanceSchema = z
  .object({
    name: z.string().trim().regex(/^[a-z][a-z0-9-]{0,30}$/, "validation.instanceName"),
    url: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, "")),
    admin: z.object({ user: z.string().min(1).default("admin"), user_env: envName.optional(), password_env: envName }).strict(),
    // The user the tokens this instance issues to the others act as (its endpoint's
    // client_credentials_user): without one they act for no user, which whoami allows and the Table API does not.
    token_user: z.string().trim().regex(userNamePattern, "validation.userName").optional(),
  })
  .strict();

export const pipelineSchema = z
  .object({ production: instanceSchema, instances: z.array(instanceSchema).min(1) })
  .strict()
  .refine((p) => new Set([p.production.name, ...p.instances.map((i) => i.name)]).size === p.instances.length + 1, { message: "validation.uniqueNames" })
  .refine((p) => new Set([p.production.url, ...p.instances.map((i) => i.url)]).size === p.instances.length + 1, { message: "validation.uniqueUrls" });

export type PipelineFile = z.output<typeof pipelineSchema>;
export type PipelineInstance = z.output<typeof instanceSchema>;

export function parsePipeline(text: string): PipelineFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ValidationError([issue("", "validation.notYaml", { reason: (error as Error).message })]);
  }
  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

export function readPipeline(file: string): PipelineFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ValidationError([issue("file", "validation.cannotRead", { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message })]);
  }
  return parsePipeline(text);
}

/** "development" → "Development", as the platform's record names spell it. */
export const label = (name: string) => name.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
