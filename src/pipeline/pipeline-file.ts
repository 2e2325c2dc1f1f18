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

/**
 * One instance under two names would be told to trust itself and get two endpoints. URLs are
 * compared as a client reaches them: https://Dev.example:443 is https://dev.example.
 */
const sameInstanceKey = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
};

export const pipelineSchema = z
  .object({ production: instanceSchema, instances: z.array(instanceSchema).min(1) })
  .strict()
  .superRefine((p, context) => {
    const all = [{ at: ["production"], instance: p.production }, ...p.instances.map((instance, i) => ({ at: ["instances", i], instance }))];
    const names = new Set<string>();
    const urls = new Map<string, string>();
    for (const { at, instance } of all) {
      const key = sameInstanceKey(instance.url);
      if (names.has(instance.name)) context.addIssue({ code: "custom", path: [...at, "name"], message: "validation.uniqueNames", params: { name: instance.name } });
      else if (urls.has(key)) context.addIssue({ code: "custom", path: [...at, "url"], message: "validation.uniqueUrls", params: { url: instance.url, other: urls.get(key)! } });
      names.add(instance.name);
      if (!urls.has(key)) urls.set(key, instance.name);
    }
  });

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
