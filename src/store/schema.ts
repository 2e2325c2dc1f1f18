import type { FieldRecord, TableRecord } from "../domain/custom-tables.ts";

/**
 * The tables an instance keeps, as Kysely sees them. Booleans are stored as 0/1 and
 * instants as epoch milliseconds on both dialects so one code path serves both; the
 * platform-visible `sys_*` dates are text in the platform's `YYYY-MM-DD HH:MM:SS` (UTC).
 */
export interface SystemFields {
  sys_id: string;
  sys_created_on: string;
  sys_created_by: string;
  sys_updated_on: string;
  sys_updated_by: string;
  sys_mod_count: number;
}

export interface SysUserTable extends SystemFields {
  user_name: string;
  /** The full name: "first_name last_name" when a write sets those without naming it (user-full-name.ts). */
  name: string;
  first_name: string;
  last_name: string;
  email: string;
  password_hash: string | null;
  active: number;
  failed_attempts: number;
  locked_until: number | null;
  preferred_language: string | null;
}

export interface SysUserRoleTable extends SystemFields {
  name: string;
  description: string;
}

export interface SysUserHasRoleTable extends SystemFields {
  user: string;
  role: string;
}

export interface OAuthEntityTable extends SystemFields {
  name: string;
  type: "client" | "provider";
  client_id: string;
  client_secret_hash: string | null;
  redirect_url: string;
  logo_url: string;
  public_client: number;
  pkce_required: number;
  allow_http_redirect: number;
  access_token_lifespan: number;
  refresh_token_lifespan: number;
  grant_types: string;
  client_credentials_user: string | null;
  active: number;
  accessible_from: string;
  sys_scope: string;
  comments: string;
}

/** Issued tokens: only the SHA-256 of the token is kept. */
export interface OAuthCredentialTable extends SystemFields {
  token_hash: string;
  type: "access_token" | "refresh_token";
  client: string;
  user: string | null;
  scope: string;
  /** One grant (an authorization, a password login, a client_credentials call) and every token rotated from it. */
  family: string;
  /** The authorization code a token descends from, so a replayed code can revoke it. */
  code: string | null;
  expires_at: number;
  revoked_at: number | null;
  /** Set once on a refresh token when it is exchanged; a second exchange is reuse. */
  rotated_at: number | null;
}

export interface OAuthAuthCodeTable {
  sys_id: string;
  code_hash: string;
  client: string;
  user: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string | null;
  family: string;
  expires_at: number;
  consumed_at: number | null;
  sys_created_on: string;
}

export interface LoginSessionTable {
  sys_id: string;
  session_hash: string;
  user: string;
  csrf_token: string;
  expires_at: number;
  /** The end the sliding expires_at never passes (migration 018). */
  absolute_expires_at: number;
  sys_created_on: string;
}

export interface SysAuditTable {
  sys_id: string;
  tablename: string;
  documentkey: string;
  fieldname: string;
  oldvalue: string;
  newvalue: string;
  reason: string;
  /** The reason as a catalog text (JSON), for the reader's language; null on rows from before it and on token issues. */
  reason_text: string | null;
  user: string;
  sys_created_on: string;
  /** Epoch ms, so the history reads in order within one second. */
  created_at: number;
}

/** The dictionary's records: their columns are the domain's record shapes plus the system fields. */
export interface SysDbObjectTable extends SystemFields, TableRecord {}

export interface SysDictionaryTable extends SystemFields, FieldRecord {}

/** A Scripted REST API: its base path is /api/{namespace}/{service_id}. */
export interface SysWsDefinitionTable extends SystemFields {
  name: string;
  namespace: string;
  service_id: string;
  base_uri: string;
  active: number;
  short_description: string;
}

/** A resource of a Scripted REST API: method, relative path and the script that answers. */
export interface SysWsOperationTable extends SystemFields {
  web_service_definition: string;
  name: string;
  http_method: string;
  relative_path: string;
  operation_script: string;
  requires_authentication: number;
  roles_required: string;
  active: number;
}

export interface IncidentTable extends SystemFields {
  number: string;
  short_description: string;
  description: string;
  state: number | null;
  priority: number | null;
  caller_id: string | null;
  assigned_to: string | null;
  active: number;
}

/** Next number per auto-numbered table (incident → INC0010001). */
export interface SysNumberTable {
  table_name: string;
  prefix: string;
  next_number: number;
}

export interface RateLimitTable {
  bucket: string;
  window_start: number;
  count: number;
}

export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** What only a third-party provider record has; the secret is AES-256-GCM ciphertext. */
export interface OAuthProviderSettingsTable {
  entity: string;
  client_secret_enc: string;
  authorization_url: string;
  token_url: string;
  revocation_url: string;
  default_grant: "authorization_code" | "client_credentials" | "password";
  credential_style: "basic" | "body";
  scope: string;
}

/** Tokens this instance obtained from a provider, encrypted, with the refresh lease. */
export interface OAuthObtainedTokenTable {
  provider: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  scope: string;
  grant_type: string;
  expires_at: number | null;
  obtained_at: number;
  /** Bumped on every new token, so a waiter can tell that another node refreshed. */
  generation: number;
  status: "healthy" | "unhealthy";
  status_reason: string;
  /** When the last refresh or token request failed (epoch ms); null while healthy. */
  failed_at: number | null;
  refresh_holder: string | null;
  refresh_lease_until: number | null;
}

/** An authorization request this instance sent to a provider, awaiting its redirect. */
export interface OAuthConsumerStateTable {
  state_hash: string;
  provider: string;
  session: string;
  code_verifier_enc: string;
  expires_at: number;
  consumed_at: number | null;
  /** RFC 9207: the `iss` the answer must carry; null when the provider does not send one. */
  expected_issuer: string | null;
}

/** The last reports of `pipeline up/verify/rotate`, as JSON (see store/pipeline-run-store.ts). */
export interface PipelineRunTable {
  sys_id: string;
  kind: string;
  ok: number;
  recorded_at: number;
  recorded_by: string;
  report: string;
}

/** OAuth Entity Profile: a provider's named grant type and scope; the default one is used. */
export interface OAuthEntityProfileTable {
  sys_id: string;
  entity: string;
  name: string;
  grant_type: string;
  scope: string;
  is_default: number;
}

/** An attachment's metadata (the platform's sys_attachment); the bytes are in sys_attachment_doc. */
export interface SysAttachmentTable extends SystemFields {
  table_name: string;
  table_sys_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  size_compressed: number;
  compressed: number;
  /** SHA-256 of the bytes, lowercase hex. */
  hash: string;
  state: string;
}

export interface SysAttachmentDocTable {
  sys_attachment: string;
  data: Uint8Array;
}

/** One load into a staging table: its rows are transformed at once (synchronous) or by a background job. */
export interface SysImportSetTable extends SystemFields {
  number: string;
  table_name: string;
  state: "loading" | "loaded" | "processing" | "processed" | "error";
  mode: "synchronous" | "asynchronous";
  state_comment: string;
  /** The sys_user the rows are transformed as: the caller who loaded them. */
  run_as: string;
  run_as_scope: string;
  row_count: number;
  processed_count: number;
  inserted_count: number;
  updated_count: number;
  ignored_count: number;
  error_count: number;
}

export interface SysTransformMapTable extends SystemFields {
  name: string;
  source_table: string;
  target_table: string;
  active: number;
  order: number;
}

export interface SysTransformEntryTable extends SystemFields {
  map: string;
  source_field: string;
  target_field: string;
  coalesce: number;
  coalesce_case_sensitive: number;
}

/** One row, sealed with the secret key by the first PostgreSQL node: the key every node must hold. */
export interface SecretKeyCheckTable {
  name: string;
  sealed: string;
}

/** Each public URL the instance has served, and when a start last served it (epoch ms). */
export interface ServedPublicUrlTable {
  url: string;
  started_at: number;
}

/** A setting every node of the instance shares (migration 019), by name: `public_url`. */
export interface InstanceSettingTable {
  name: string;
  value: string;
}

export interface Database {
  sys_user: SysUserTable;
  sys_user_role: SysUserRoleTable;
  sys_user_has_role: SysUserHasRoleTable;
  oauth_entity: OAuthEntityTable;
  oauth_credential: OAuthCredentialTable;
  oauth_auth_code: OAuthAuthCodeTable;
  login_session: LoginSessionTable;
  sys_audit: SysAuditTable;
  sys_db_object: SysDbObjectTable;
  sys_dictionary: SysDictionaryTable;
  incident: IncidentTable;
  sys_number: SysNumberTable;
  rate_limit: RateLimitTable;
  job_lease: JobLeaseTable;
  secret_key_check: SecretKeyCheckTable;
  oauth_provider_settings: OAuthProviderSettingsTable;
  oauth_obtained_token: OAuthObtainedTokenTable;
  oauth_consumer_state: OAuthConsumerStateTable;
  sys_ws_definition: SysWsDefinitionTable;
  sys_ws_operation: SysWsOperationTable;
  sys_attachment: SysAttachmentTable;
  sys_attachment_doc: SysAttachmentDocTable;
  sys_import_set: SysImportSetTable;
  sys_transform_map: SysTransformMapTable;
  sys_transform_entry: SysTransformEntryTable;
  pipeline_run: PipelineRunTable;
  oauth_entity_profile: OAuthEntityProfileTable;
  served_public_url: ServedPublicUrlTable;
  instance_setting: InstanceSettingTable;
}
