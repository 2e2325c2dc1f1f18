import { z } from "zod";
import { ValidationError } from "./validation.ts";

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
  /** The OAuth Entity Profile that holds the default grant and scope. */
  oauthProfile: string;
  createdOn: string;
  updatedOn: string;
}

const httpUrl = (field: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/\S+$/.test(v) && URL.canParse(v), { message: "validation.httpUrl", params: { field } });

const optionalUrl = (field: string) => z.union([z.literal(""), httpUrl(field)]).default("");

export const providerCreateSchema = z
  .object({
    name: z.string().trim().min(1, "validation.required").max(100, "validation.maxChars"),
    client_id: z.string().trim().min(1, "validation.required").max(100, "validation.maxChars"),
    client_secret: z.string().min(1, "validation.required").max(1000, "validation.maxChars"),
    authorization_url: optionalUrl("authorization_url"),
    token_url: httpUrl("token_url"),
    revocation_url: optionalUrl("revocation_url"),
    default_grant: z.enum(consumerGrantNames).default("client_credentials"),
    credential_style: z.enum(["basic", "body"]).default("basic"),
    scope: z.string().trim().max(1000, "validation.maxChars").default(""),
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
  .refine((p) => p.default_grant !== "authorization_code" || p.authorization_url !== "", {
    path: ["authorization_url"],
    message: "validation.authorizationUrlNeeded",
  });

export type ProviderCreateInput = z.input<typeof providerCreateSchema>;
export type ProviderSettings = z.output<typeof providerCreateSchema>;

export function parseProviderCreate(input: unknown): ProviderSettings & { oauth_profile: string } {
  const parsed = providerCreateSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return { ...parsed.data, oauth_profile: parsed.data.oauth_profile ?? defaultProfileName(parsed.data.name) };
}

export const defaultProfileName = (providerName: string) => `${providerName} default_profile`;

/** What may be shown: everything but the secret, which is never readable back. */
export function providerRecord(p: OAuthProvider): Record<string, string> {
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
    oauth_profile: p.oauthProfile,
    sys_created_on: p.createdOn,
    sys_updated_on: p.updatedOn,
  };
}
