import { type Access, type FieldDef, systemFieldDefs, type TableDef } from "./dictionary.ts";
import { importRowTable, sysImportSet, sysTransformEntry, sysTransformMap } from "./import-set-tables.ts";

/**
 * The instance's own tables as the Table API sees them. The SQL tables exist by migration;
 * these entries describe them. Hashes of secrets are listed as secret so nobody, admin
 * included, can read, query or write them.
 */
const admin: Access = ["admin"];
const adminOnly = { read: admin, create: admin, write: admin, delete: admin } as const;
const readOnlyFor = (read: Access) => ({ read, create: "nobody", write: "nobody", delete: "nobody" }) as const;

const str = (name: string, label: string, maxLength: number, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label, type: "string", maxLength, ...extra });
const bool = (name: string, label: string, defaultValue: "true" | "false", extra: Partial<FieldDef> = {}): FieldDef => ({ name, label, type: "boolean", defaultValue, ...extra });
const int = (name: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label, type: "integer", ...extra });
const ref = (name: string, label: string, reference: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label, type: "reference", reference, ...extra });
const secret = (name: string): FieldDef => ({ name, label: name, type: "string", secret: true, readOnly: true });

const sysUser: TableDef = {
  name: "sys_user",
  label: "User",
  displayField: "name",
  writer: "generic",
  custom: false,
  access: { read: "any_user", create: admin, write: admin, delete: admin },
  fields: [
    ...systemFieldDefs(),
    str("user_name", "User ID", 100, { mandatory: true }),
    str("name", "Name", 200, { joinedFrom: ["first_name", "last_name"] }),
    // 50 at most, as on the platform, so the name made of them always fits its 200.
    str("first_name", "First name", 50),
    str("last_name", "Last name", 50),
    str("email", "Email", 200),
    bool("active", "Active", "true"),
    secret("password_hash"),
    int("failed_attempts", "Failed login attempts", { readOnly: true, readRoles: ["admin"] }),
    int("locked_until", "Locked until (epoch ms)", { readOnly: true, readRoles: ["admin"] }),
  ],
};

const sysUserRole: TableDef = {
  name: "sys_user_role",
  label: "Role",
  displayField: "name",
  writer: "generic",
  custom: false,
  access: { read: "any_user", create: admin, write: admin, delete: admin },
  fields: [...systemFieldDefs(), str("name", "Name", 100, { mandatory: true }), str("description", "Description", 4000)],
};

const sysUserHasRole: TableDef = {
  name: "sys_user_has_role",
  label: "User Role",
  displayField: "role",
  writer: "generic",
  custom: false,
  // Granting roles is granting rights: admin only.
  access: { read: "any_user", create: admin, write: admin, delete: admin },
  fields: [...systemFieldDefs(), ref("user", "User", "sys_user", { mandatory: true }), ref("role", "Role", "sys_user_role", { mandatory: true })],
};

const oauthEntity: TableDef = {
  name: "oauth_entity",
  label: "Application Registry",
  displayField: "name",
  writer: "oauth_entity",
  custom: false,
  access: adminOnly,
  fields: [
    ...systemFieldDefs(),
    str("name", "Name", 100, { mandatory: true }),
    str("type", "Type", 16, { readOnly: true, choices: [{ value: "client", label: "OAuth client" }, { value: "provider", label: "OAuth provider" }] }),
    str("client_id", "Client ID", 100, { readOnly: true }),
    secret("client_secret_hash"),
    str("redirect_url", "Redirect URL", 4000),
    str("logo_url", "Logo URL", 4000),
    bool("public_client", "Public client", "false"),
    bool("pkce_required", "PKCE required", "true"),
    bool("allow_http_redirect", "Allow http redirect", "false"),
    int("access_token_lifespan", "Access token lifespan"),
    int("refresh_token_lifespan", "Refresh token lifespan"),
    str("grant_types", "Grant types", 4000),
    ref("client_credentials_user", "Client credentials user", "sys_user"),
    bool("active", "Active", "true"),
    str("accessible_from", "Accessible from", 16, { choices: [{ value: "all", label: "All application scopes" }, { value: "this", label: "This application scope only" }] }),
    str("sys_scope", "Application", 100),
    str("comments", "Comments", 4000),
  ],
};

const oauthCredential: TableDef = {
  name: "oauth_credential",
  label: "OAuth Credential",
  displayField: "type",
  writer: "generic",
  custom: false,
  access: readOnlyFor(admin),
  fields: [
    ...systemFieldDefs(),
    secret("token_hash"),
    str("type", "Type", 16),
    ref("client", "Client", "oauth_entity"),
    ref("user", "User", "sys_user"),
    str("scope", "Scope", 4000),
    str("family", "Grant", 32, { guid: true }),
    str("code", "Authorization code", 32, { guid: true }),
    int("expires_at", "Expires (epoch ms)"),
    int("revoked_at", "Revoked (epoch ms)"),
    int("rotated_at", "Rotated (epoch ms)"),
  ],
};

const sysAudit: TableDef = {
  name: "sys_audit",
  label: "Audit",
  displayField: "fieldname",
  writer: "generic",
  custom: false,
  access: readOnlyFor(admin),
  fields: [
    { name: "sys_id", label: "Sys ID", type: "string", readOnly: true, guid: true },
    { name: "sys_created_on", label: "Created", type: "glide_date_time", readOnly: true },
    str("tablename", "Table name", 80, { storedLowercase: true }),
    str("documentkey", "Document key", 32, { guid: true }),
    str("fieldname", "Field name", 80),
    str("oldvalue", "Old value", 4000),
    str("newvalue", "New value", 4000),
    str("reason", "Reason", 4000),
    str("user", "User", 100),
    int("created_at", "Created (epoch ms)"),
  ],
};

const incident: TableDef = {
  name: "incident",
  label: "Incident",
  displayField: "number",
  writer: "generic",
  custom: false,
  access: { read: "any_user", create: "any_user", write: "any_user", delete: admin },
  numbering: { field: "number", prefix: "INC" },
  fields: [
    ...systemFieldDefs(),
    str("number", "Number", 40, { readOnly: true }),
    str("short_description", "Short description", 160),
    str("description", "Description", 4000),
    int("state", "State", {
      defaultValue: "1",
      choices: [
        { value: "1", label: "New" },
        { value: "2", label: "In Progress" },
        { value: "3", label: "On Hold" },
        { value: "6", label: "Resolved" },
        { value: "7", label: "Closed" },
        { value: "8", label: "Canceled" },
      ],
    }),
    int("priority", "Priority", {
      defaultValue: "5",
      choices: [
        { value: "1", label: "1 - Critical" },
        { value: "2", label: "2 - High" },
        { value: "3", label: "3 - Moderate" },
        { value: "4", label: "4 - Low" },
        { value: "5", label: "5 - Planning" },
      ],
    }),
    ref("caller_id", "Caller", "sys_user"),
    ref("assigned_to", "Assigned to", "sys_user"),
    bool("active", "Active", "true"),
  ],
};

const sysDbObject: TableDef = {
  name: "sys_db_object",
  label: "Table",
  displayField: "label",
  writer: "sys_db_object",
  custom: false,
  access: { read: "any_user", create: admin, write: admin, delete: admin },
  fields: [
    ...systemFieldDefs(),
    str("name", "Name", 80, { mandatory: true }),
    str("label", "Label", 100),
    str("read_roles", "Read roles", 400),
    str("create_roles", "Create roles", 400),
    str("write_roles", "Write roles", 400),
    str("delete_roles", "Delete roles", 400, { defaultValue: "admin" }),
    // A staging table extends the import-set row and inherits its fields (see import-set-tables.ts).
    str("super_class", "Extends table", 80, { choices: [{ value: "", label: "" }, { value: importRowTable, label: "Import Set Row" }] }),
  ],
};

const sysDictionary: TableDef = {
  name: "sys_dictionary",
  label: "Dictionary Entry",
  displayField: "column_label",
  writer: "sys_dictionary",
  custom: false,
  access: { read: "any_user", create: admin, write: admin, delete: admin },
  fields: [
    ...systemFieldDefs(),
    str("name", "Table", 80, { mandatory: true }),
    str("element", "Column name", 80, { mandatory: true }),
    str("column_label", "Column label", 100),
    str("internal_type", "Type", 40, { mandatory: true, choices: ["string", "integer", "boolean", "reference", "glide_date_time"].map((t) => ({ value: t, label: t })) }),
    int("max_length", "Max length"),
    bool("mandatory", "Mandatory", "false"),
    bool("read_only", "Read only", "false"),
    str("reference", "Reference", 80),
    str("default_value", "Default value", 4000),
    str("choices", "Choices (comma-separated)", 4000),
  ],
};

/** Scripted REST APIs: scripts run with the caller's rights, but only an admin may write one. */
const sysWsDefinition: TableDef = {
  name: "sys_ws_definition",
  label: "Scripted REST Service",
  displayField: "name",
  writer: "sys_ws_definition",
  custom: false,
  access: adminOnly,
  fields: [
    ...systemFieldDefs(),
    str("name", "Name", 100, { mandatory: true }),
    str("namespace", "Namespace", 40, { mandatory: true }),
    str("service_id", "API ID", 40, { mandatory: true }),
    str("base_uri", "Base API path", 100, { readOnly: true }),
    bool("active", "Active", "true"),
    str("short_description", "Short description", 4000),
  ],
};

const sysWsOperation: TableDef = {
  name: "sys_ws_operation",
  label: "Scripted REST Resource",
  displayField: "name",
  writer: "sys_ws_operation",
  custom: false,
  access: adminOnly,
  fields: [
    ...systemFieldDefs(),
    ref("web_service_definition", "Web service definition", "sys_ws_definition", { mandatory: true }),
    str("name", "Name", 100, { mandatory: true }),
    str("http_method", "HTTP method", 10, { mandatory: true, choices: ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => ({ value: m, label: m })) }),
    str("relative_path", "Relative path", 400, { defaultValue: "/" }),
    str("operation_script", "Script", 100_000),
    bool("requires_authentication", "Requires authentication", "true"),
    str("roles_required", "Roles required (comma-separated)", 400),
    bool("active", "Active", "true"),
  ],
};

/**
 * Attachments' metadata. The Attachment API reads and writes it under the parent record's
 * ACL; through the Table API only admins read it and nobody writes it, since a row without
 * its bytes, or bytes on a record the writer may not touch, must not be possible.
 */
export const sysAttachment: TableDef = {
  name: "sys_attachment",
  label: "Attachment",
  displayField: "file_name",
  writer: "generic",
  custom: false,
  access: readOnlyFor(admin),
  fields: [
    ...systemFieldDefs(),
    str("file_name", "File name", 255),
    str("content_type", "Content type", 255),
    int("size_bytes", "Size bytes"),
    int("size_compressed", "Compressed size"),
    bool("compressed", "Compressed", "false"),
    str("hash", "Hash", 64),
    str("table_name", "Table name", 80, { storedLowercase: true }),
    str("table_sys_id", "Table sys ID", 32, { guid: true }),
    str("state", "State", 40),
  ],
};

export const systemTables: ReadonlyMap<string, TableDef> = new Map(
  [sysUser, sysUserRole, sysUserHasRole, oauthEntity, oauthCredential, sysAudit, incident, sysDbObject, sysDictionary, sysWsDefinition, sysWsOperation, sysAttachment, sysImportSet, sysTransformMap, sysTransformEntry].map((t) => [t.name, t]),
);
