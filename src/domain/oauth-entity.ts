import { z } from "zod";
import { newRedirectUriIssue, parseRedirectUrlList, redirectUriIssue } from "./redirect-uri.ts";
import { type FieldIssue, issue, multiLineText, parseEachField, singleLineText, ValidationError } from "./validation.ts";

/**
 * The Application Registry's "OAuth API endpoint for external clients": the rules a record
 * must satisfy whichever door (CLI, Table API, admin UI) it comes through.
 */
export const grantTypeNames = ["authorization_code", "refresh_token", "password", "client_credentials"] as const;
export type GrantType = (typeof grantTypeNames)[number];

export const defaultGrantTypes: readonly GrantType[] = ["authorization_code", "refresh_token"];

export const lifespanLimits = {
  access: { min: 60, max: 31_536_000, default: 1800 },
  refresh: { min: 0, max: 315_360_000, default: 8_640_000 },
} as const;

export interface OAuthClient {
  sysId: string;
  name: string;
  clientId: string;
  clientSecretHash: string | null;
  redirectUrls: string[];
  logoUrl: string;
  publicClient: boolean;
  pkceRequired: boolean;
  allowHttpRedirect: boolean;
  accessTokenLifespan: number;
  refreshTokenLifespan: number;
  grantTypes: GrantType[];
  clientCredentialsUser: string | null;
  active: boolean;
  accessibleFrom: "all" | "this";
  sysScope: string;
  comments: string;
  createdOn: string;
  createdBy: string;
  updatedOn: string;
  updatedBy: string;
  modCount: number;
}

export const booleanish = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);
const integerish = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], { error: "validation.wholeSeconds" })
  .pipe(z.number().int());

const grantTypeList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === "string" ? v.split(",") : v).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.enum(grantTypeNames, { error: "validation.unknownGrantType" })))
  .transform((list) => [...new Set(list)]);

const redirectUrlList = z.union([z.string(), z.array(z.string())]).transform((v) => parseRedirectUrlList(v));

const logoUrl = z
  .string()
  .trim()
  .refine((v) => v === "" || /^https:\/\/[^\s]+$/.test(v) && URL.canParse(v), "validation.httpsUrlOrEmpty");

/** What an admin may set. Client ID and secret are generated, never entered. */
const fields = {
  name: z.string().trim().min(1, "validation.mandatory").max(100, "validation.maxChars").refine(singleLineText, "validation.controlCharacters"),
  redirect_url: redirectUrlList,
  logo_url: logoUrl,
  public_client: booleanish,
  pkce_required: booleanish,
  allow_http_redirect: booleanish,
  access_token_lifespan: integerish.pipe(z.number().min(lifespanLimits.access.min, "validation.atLeast").max(lifespanLimits.access.max, "validation.atMost")),
  refresh_token_lifespan: integerish.pipe(z.number().min(lifespanLimits.refresh.min, "validation.atLeast").max(lifespanLimits.refresh.max, "validation.atMost")),
  grant_types: grantTypeList,
  client_credentials_user: z.string().trim().max(100, "validation.maxChars").refine(singleLineText, "validation.controlCharacters").nullable(),
  active: booleanish,
  accessible_from: z.enum(["all", "this"]),
  sys_scope: z.string().trim().min(1).max(100).refine(singleLineText, "validation.controlCharacters"),
  comments: z.string().max(4000, "validation.maxChars").refine(multiLineText, "validation.controlCharacters"),
};

export const clientCreateSchema = z.strictObject({
  ...fields,
  redirect_url: fields.redirect_url.default([]),
  logo_url: fields.logo_url.default(""),
  public_client: fields.public_client.default(false),
  pkce_required: fields.pkce_required.default(true),
  allow_http_redirect: fields.allow_http_redirect.default(false),
  access_token_lifespan: fields.access_token_lifespan.default(lifespanLimits.access.default),
  refresh_token_lifespan: fields.refresh_token_lifespan.default(lifespanLimits.refresh.default),
  grant_types: fields.grant_types.default([...defaultGrantTypes]),
  client_credentials_user: fields.client_credentials_user.default(null),
  active: fields.active.default(true),
  accessible_from: fields.accessible_from.default("all"),
  sys_scope: fields.sys_scope.default("global"),
  comments: fields.comments.default(""),
});

// Client ID and the public/confidential choice are fixed at creation, as on the platform.
export const clientUpdateSchema = z.strictObject(fields).omit({ public_client: true }).partial();

export type ClientCreateInput = z.input<typeof clientCreateSchema>;
export type ClientUpdateInput = z.input<typeof clientUpdateSchema>;
export type ClientSettings = z.output<typeof clientCreateSchema>;

/** A client's fields as a door received them (the CLI's options, a form, a JSON body), before checkClientCreate or checkClientUpdate. */
export type ClientInput = Readonly<Record<string, unknown>>;

/**
 * A client's input checked without the database. `settings`, the record as it would be stored,
 * is there when every field parsed, even if a rule across fields failed: the store's checks
 * (the client credentials user, the name) then join `issues`, so one answer names every problem.
 */
export interface ClientInputCheck {
  settings: ClientSettings | undefined;
  /** The fields that parsed (on an edit, merged into the record): the database's checks judge these while another field is still wrong. */
  fields: Partial<ClientSettings>;
  issues: FieldIssue[];
}

export function checkClientCreate(input: unknown): ClientInputCheck {
  const parsed = parseEachField(clientCreateSchema, input);
  return { settings: parsed.data && withPKCERule(parsed.data), fields: parsed.fields, issues: [...parsed.issues, ...clientRuleIssues(parsed.fields, [])] };
}

/** The edit merged into `current`; its redirect URLs stay exempt from newRedirectUriIssue. */
export function checkClientUpdate(input: unknown, current: OAuthClient): ClientInputCheck {
  const parsed = parseEachField(clientUpdateSchema, input);
  const merged: Partial<ClientSettings> = { ...settingsOf(current), ...parsed.fields };
  // A field that did not parse is not judged by the value it would have replaced.
  for (const name of parsed.unparsed) delete merged[name as keyof ClientSettings];
  const settings = parsed.data && withPKCERule({ ...settingsOf(current), ...parsed.data });
  return { settings, fields: merged, issues: [...parsed.issues, ...clientRuleIssues(merged, current.redirectUrls)] };
}

/** The settings, or a ValidationError naming every problem the input shows without the database. */
export function parseClientCreate(input: unknown): ClientSettings {
  const checked = checkClientCreate(input);
  if (!checked.settings || checked.issues.length > 0) throw new ValidationError(checked.issues);
  return checked.settings;
}

/**
 * Rules across fields, on the record as it will be stored; a rule waits for its fields to parse.
 * `storedUrls`: the redirect URLs the record already holds, exempt from newRedirectUriIssue.
 */
function clientRuleIssues(settings: Partial<ClientSettings>, storedUrls: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { redirect_url: urls, allow_http_redirect: allowHttp, grant_types: grants } = settings;
  if (urls && allowHttp !== undefined) {
    urls.forEach((url) => {
      const problem = (storedUrls.includes(url) ? undefined : newRedirectUriIssue(url)) ?? redirectUriIssue(url, allowHttp);
      if (problem) issues.push(issue("redirect_url", problem.key, problem.values));
    });
  }
  if (grants && settings.public_client && grants.includes("client_credentials")) issues.push(issue("grant_types", "validation.publicNoClientCredentials"));
  // RFC 9700 §2.4: with no secret, anyone holding the client ID could try passwords through it.
  if (grants && settings.public_client && grants.includes("password")) issues.push(issue("grant_types", "validation.publicNoPassword"));
  if (grants?.length === 0) issues.push(issue("grant_types", "validation.noGrantType"));
  return issues;
}

// Public clients cannot keep a secret, so PKCE is their only proof (RFC 9700 §2.1.1).
function withPKCERule(settings: ClientSettings): ClientSettings {
  return settings.public_client ? { ...settings, pkce_required: true } : settings;
}

export function settingsOf(client: OAuthClient): ClientSettings {
  return {
    name: client.name,
    redirect_url: client.redirectUrls,
    logo_url: client.logoUrl,
    public_client: client.publicClient,
    pkce_required: client.pkceRequired,
    allow_http_redirect: client.allowHttpRedirect,
    access_token_lifespan: client.accessTokenLifespan,
    refresh_token_lifespan: client.refreshTokenLifespan,
    grant_types: client.grantTypes,
    client_credentials_user: client.clientCredentialsUser,
    active: client.active,
    accessible_from: client.accessibleFrom,
    sys_scope: client.sysScope,
    comments: client.comments,
  };
}

/** The record as the CLI and APIs show it; the secret appears only when it was just generated. */
export function clientRecord(client: OAuthClient, clientSecret?: string | null) {
  return {
    sys_id: client.sysId,
    name: client.name,
    type: "client" as const,
    client_id: client.clientId,
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    redirect_url: client.redirectUrls.join(", "),
    logo_url: client.logoUrl,
    public_client: client.publicClient,
    pkce_required: client.pkceRequired,
    allow_http_redirect: client.allowHttpRedirect,
    access_token_lifespan: client.accessTokenLifespan,
    refresh_token_lifespan: client.refreshTokenLifespan,
    grant_types: client.grantTypes.join(","),
    client_credentials_user: client.clientCredentialsUser ?? "",
    active: client.active,
    accessible_from: client.accessibleFrom,
    sys_scope: client.sysScope,
    comments: client.comments,
    sys_created_on: client.createdOn,
    sys_created_by: client.createdBy,
    sys_updated_on: client.updatedOn,
    sys_updated_by: client.updatedBy,
    sys_mod_count: client.modCount,
  };
}
