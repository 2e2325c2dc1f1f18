import { z } from "zod";
import { booleanish } from "./oauth-entity.ts";
import { plainHTTPIssues, secretIssue, secretOrigins } from "./provider-destinations.ts";
import { type FieldIssue, issue, singleLineText, ValidationError } from "./validation.ts";

/**
 * The Application Registry's "Connect to a third-party OAuth Provider": a peer whose client
 * this instance holds. The client ID and secret were issued by the peer and are entered here.
 */
export const consumerGrantNames = ["authorization_code", "client_credentials", "password"] as const;
export type ConsumerGrant = (typeof consumerGrantNames)[number];

export interface OAuthProvider {
  sysId: string;
  name: string;
  clientId: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  redirectUrl: string;
  defaultGrant: ConsumerGrant;
  credentialStyle: "basic" | "body";
  scope: string;
  /** Lets its URLs use plain http on hosts other than this machine (provider-destinations.ts). */
  allowHttp: boolean;
  /** The OAuth Entity Profile that holds the default grant and scope. */
  oauthProfile: string;
  createdOn: string;
  updatedOn: string;
  updatedBy: string;
  modCount: number;
}

const isHTTPURL = (v: string): boolean => /^https?:\/\/\S+$/.test(v) && URL.canParse(v);

// The message names no field: a form shows it at the field, the CLI and the API after its name.
const httpUrl = () => z.string().trim().refine(isHTTPURL, "validation.url");

// Left empty, a mandatory URL is told as the other mandatory fields are, not as a malformed URL.
const mandatoryHTTPURL = () => z.string().trim().min(1, { error: "validation.mandatory", abort: true }).refine(isHTTPURL, "validation.url");

const urlOrBlank = () => z.union([z.literal(""), httpUrl()]);

/** Each field's rule, shared by the create and the edit. */
const field = {
  name: z.string().trim().min(1, "validation.mandatory").max(100, "validation.maxChars").refine(singleLineText, "validation.controlCharacters"),
  client_id: z.string().trim().min(1, "validation.mandatory").max(100, "validation.maxChars").refine(singleLineText, "validation.controlCharacters"),
  client_secret: z.string().min(1, "validation.mandatory").max(1000, "validation.maxChars"),
  authorization_url: urlOrBlank(),
  token_url: mandatoryHTTPURL(),
  revocation_url: urlOrBlank(),
  default_grant: z.enum(consumerGrantNames, { error: "validation.oneOf" }),
  credential_style: z.enum(["basic", "body"], { error: "validation.oneOf" }),
  scope: z.string().trim().max(1000, "validation.maxChars").refine(singleLineText, "validation.controlCharacters"),
  allow_http: booleanish,
};

const authorizationUrlNeededKey = "validation.authorizationUrlNeeded" as const;
// A fresh object per use: zod takes the message out of the options object it is given.
const authorizationUrlNeeded = () => ({ path: ["authorization_url"], message: authorizationUrlNeededKey });

export const providerCreateSchema = z
  .object({
    name: field.name,
    client_id: field.client_id,
    client_secret: field.client_secret,
    authorization_url: field.authorization_url.default(""),
    token_url: field.token_url,
    revocation_url: field.revocation_url.default(""),
    default_grant: field.default_grant.default("client_credentials"),
    credential_style: field.credential_style.default("basic"),
    scope: field.scope.default(""),
    allow_http: field.allow_http.default(false),
    // The platform names the profile it makes for each provider "<name> default_profile".
    oauth_profile: z
      .string()
      .trim()
      .min(1, "must not be empty (leave it out for the default profile)")
      .max(100)
      .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters")
      .optional(),
  })
  .strict()
  .refine((p) => p.default_grant !== "authorization_code" || p.authorization_url !== "", authorizationUrlNeeded());

export type ProviderCreateInput = z.input<typeof providerCreateSchema>;
export type ProviderSettings = z.output<typeof providerCreateSchema>;

export function parseProviderCreate(input: unknown): ProviderSettings & { oauth_profile: string } {
  const parsed = providerCreateSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const insecure = plainHTTPIssues(parsed.data);
  if (insecure.length > 0) throw new ValidationError(insecure);
  return { ...parsed.data, oauth_profile: parsed.data.oauth_profile ?? defaultProfileName(parsed.data.name) };
}

/** What an edit may change; a field left out keeps its value. The profile keeps its name. */
export const providerUpdateSchema = z.object(Object.fromEntries(Object.entries(field).map(([name, rule]) => [name, rule.optional()])) as { [K in keyof typeof field]: z.ZodOptional<(typeof field)[K]> }).strict();

export type ProviderChanges = z.output<typeof providerUpdateSchema>;

/** The provider's fields as an edit sees them (the secret aside, which is never read back). */
export type EditableProviderFields = Omit<Required<ProviderChanges>, "client_secret">;

export function parseProviderUpdate(input: unknown): ProviderChanges {
  const parsed = providerUpdateSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

export function editableFieldsOf(p: OAuthProvider): EditableProviderFields {
  return { name: p.name, client_id: p.clientId, authorization_url: p.authorizationUrl, token_url: p.tokenUrl, revocation_url: p.revocationUrl, default_grant: p.defaultGrant, credential_style: p.credentialStyle, scope: p.scope, allow_http: p.allowHttp };
}

/**
 * `current` with `changes` applied, checked as a whole: the Authorization Code grant needs an
 * authorization URL, kept or given; a URL on a server the record did not name needs the secret
 * again, and plain http beyond this machine needs `allow_http` (provider-destinations.ts).
 */
export function applyProviderChanges(current: OAuthProvider, changes: ProviderChanges): EditableProviderFields {
  const { client_secret: secret, ...fields } = changes;
  const before = editableFieldsOf(current);
  const merged = { ...before, ...fields };
  const issues: FieldIssue[] = plainHTTPIssues(merged, before);
  if (merged.default_grant === "authorization_code" && merged.authorization_url === "") issues.push(issue("authorization_url", authorizationUrlNeededKey));
  const secretMissing = secretIssue(before, merged, secret !== undefined);
  if (secretMissing) issues.push(secretMissing);
  if (issues.length > 0) throw new ValidationError(issues);
  return merged;
}

/**
 * Whether an edit makes the token held go where it must not: a new client ID (the token was
 * issued to the old one), or an origin, of the token URL or the revocation URL, that the record
 * did not name before. Calls and refreshes go to the token URL's origin
 * (src/consumer/outbound-call.ts) and revocation sends both tokens with the client's secret, so
 * keeping the token would hand it to a server that never issued it.
 */
export function changesWhereTokensGo(before: EditableProviderFields, after: EditableProviderFields): boolean {
  const known = new Set(secretOrigins(before));
  return before.client_id !== after.client_id || secretOrigins(after).some((origin) => !known.has(origin));
}

export const defaultProfileName = (providerName: string) => `${providerName} default_profile`;

/** What may be shown: everything but the secret, which is never readable back. */
export function providerRecord(p: OAuthProvider): Record<string, string | number | boolean> {
  return {
    sys_id: p.sysId,
    name: p.name,
    type: "provider",
    client_id: p.clientId,
    client_secret: "",
    authorization_url: p.authorizationUrl,
    token_url: p.tokenUrl,
    revocation_url: p.revocationUrl,
    redirect_url: p.redirectUrl,
    default_grant: p.defaultGrant,
    credential_style: p.credentialStyle,
    scope: p.scope,
    allow_http: p.allowHttp,
    oauth_profile: p.oauthProfile,
    sys_created_on: p.createdOn,
    sys_updated_on: p.updatedOn,
    sys_updated_by: p.updatedBy,
    sys_mod_count: p.modCount,
  };
}
