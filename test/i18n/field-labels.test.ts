import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isSystemField } from "../../src/domain/dictionary.ts";
import { systemTables } from "../../src/domain/system-tables.ts";
import { en } from "../../src/i18n/catalogs/en.ts";
import { enFieldLabels } from "../../src/i18n/catalogs/en-field-labels.ts";

/** The dictionary's label as the catalog keeps it: the Table API's "(epoch ms)" unit left off. */
const withoutUnit = (label: string) => label.replace(/ \(epoch ms\)$/, "");

describe("field labels follow the table dictionary", () => {
  const dictionary = new Map<string, string>([...systemTables.values()].flatMap((table) => table.fields.filter((f) => !f.secret && !isSystemField(f.name)).map((f) => [`fieldLabel.${table.name}.${f.name}`, withoutUnit(f.label)] as const)));
  const catalog = new Map<string, string>(Object.entries(enFieldLabels));

  test("every field a person can see in a system table has its dictionary label in the catalog", () => {
    const missing = [...dictionary].filter(([key, label]) => catalog.get(key) !== label).map(([key, label]) => `${key}: "${label}", catalog "${catalog.get(key)}"`);
    assert.deepEqual(missing, []);
  });

  test("a label the dictionary does not hold names something only the audit records", () => {
    const auditOnly = [...catalog.keys()].filter((key) => !dictionary.has(key)).sort();
    assert.deepEqual(auditOnly, [
      "fieldLabel.*.sys_attachment",
      "fieldLabel.oauth_credential.issued",
      "fieldLabel.oauth_entity.allow_http",
      "fieldLabel.oauth_entity.authorization_url",
      "fieldLabel.oauth_entity.client_secret",
      "fieldLabel.oauth_entity.consent",
      "fieldLabel.oauth_entity.credential_style",
      "fieldLabel.oauth_entity.default_grant",
      "fieldLabel.oauth_entity.oauth_profile",
      "fieldLabel.oauth_entity.revocation_url",
      "fieldLabel.oauth_entity.scope",
      "fieldLabel.oauth_entity.token",
      "fieldLabel.oauth_entity.token_url",
      "fieldLabel.sys_user.password",
      "fieldLabel.sys_user.roles",
    ]);
  });
});

describe("English field labels are in sentence case", () => {
  // The forms' labels, History's and the New user form's. Menu modules and table names (Application
  // Registry, Manage Tokens, User Role) are names of things, not labels, and keep the platform's capitals.
  const userFormLabels = ["users.userName", "users.email", "users.firstName", "users.lastName", "users.displayName", "users.password", "users.roles", "users.role", "users.lockedOut"];
  const labels = Object.entries(en).filter(([key]) => /^(field|provider\.field|fieldLabel)\./.test(key) || userFormLabels.includes(key));
  /** A word after the first keeps a capital only as an acronym (ID, URLs, PKCE) or the spelling OAuth. */
  const titleCased = (label: string) => label.split(" ").slice(1).filter((word) => /^[A-Z][a-z]/.test(word) && word !== "OAuth");

  test("only the first word of a label starts with a capital, so the form and History name a field alike ('Access token lifespan')", () => {
    assert.ok(labels.length > 100, `${labels.length} labels`);
    const strays = labels.filter(([, label]) => titleCased(label).length > 0).map(([key, label]) => `${key}: "${label}"`);
    assert.deepEqual(strays, []);
  });

  test("a message or the CLI's help names a field by its label, not in the Title Case the forms dropped ('OAuth entity profile')", () => {
    const texts = Object.entries(en).filter(([key]) => !labels.some(([labelKey]) => labelKey === key));
    const oldForms = [...new Set(labels.map(([, label]) => label.replace(/ ([a-z])/g, (_, letter: string) => ` ${letter.toUpperCase()}`)))].filter((form) => !labels.some(([, label]) => label === form));
    const strays = texts.flatMap(([key, text]) => oldForms.filter((form) => text.includes(form)).map((form) => `${key}: "${form}"`));
    assert.deepEqual(strays, []);
  });
});
