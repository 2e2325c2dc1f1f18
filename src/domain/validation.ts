import type { z } from "zod";
import { en, type MessageKey } from "../i18n/catalogs/en.ts";
import { translator, type MessageValues, type Translator } from "../i18n/translator.ts";

/**
 * One problem with one field. `message` is English: what machine-facing answers (the Table
 * API's envelope, OAuth errors) carry. `key` and `values` let a form or the CLI say the same
 * in the reader's language; an issue without a key is shown as its message.
 */
export interface FieldIssue {
  field: string;
  message: string;
  key?: MessageKey;
  values?: MessageValues;
}

const english = translator("en");

/** An issue whose words come from the catalogs. */
export function issue(field: string, key: MessageKey, values?: MessageValues): FieldIssue {
  return { field, message: english.t(key, values), key, ...(values ? { values } : {}) };
}

/** The issue in the reader's language. */
export function issueText(problem: FieldIssue, i18n: Translator): string {
  return problem.key ? i18n.t(problem.key, problem.values) : problem.message;
}

const isKey = (text: string): text is MessageKey => Object.hasOwn(en, text);

/**
 * Schemas give catalog keys as their messages ("validation.mandatory"); the values a message
 * names come from the zod issue itself (its bounds, the allowed values, the input when the
 * parse was asked to report it). Zod's own messages become catalog texts where zodDefault
 * knows them, and are otherwise kept as they are, in English.
 */
/**
 * Zod's own English for the rules a schema did not word (a missing or unknown key, a URL, an
 * empty list), as catalog texts, so a pipeline file's mistakes read in the reader's language too.
 */
function zodDefault(zodIssue: z.core.$ZodIssue): { key: MessageKey; values?: MessageValues } | undefined {
  switch (zodIssue.code) {
    case "invalid_type":
      return /received undefined$/.test(zodIssue.message) ? { key: "validation.required" } : { key: "validation.wrongType", values: { expected: String(zodIssue.expected) } };
    case "unrecognized_keys":
      return { key: "validation.unknownKeys", values: { keys: zodIssue.keys.join(", ") } };
    case "invalid_format":
      return zodIssue.format === "url" ? { key: "validation.url" } : undefined;
    case "too_small":
      return zodIssue.origin === "array" ? { key: "validation.atLeastItems", values: { min: Number(zodIssue.minimum) } } : zodIssue.origin === "string" && Number(zodIssue.minimum) === 1 ? { key: "validation.required" } : undefined;
    default:
      return undefined;
  }
}

function fromZodIssue(zodIssue: z.core.$ZodIssue): FieldIssue {
  const field = zodIssue.path.join(".");
  if (!isKey(zodIssue.message)) {
    const worded = zodDefault(zodIssue);
    return worded ? issue(field, worded.key, worded.values) : { field, message: zodIssue.message };
  }
  const raw = zodIssue as unknown as { minimum?: unknown; maximum?: unknown; values?: unknown[]; input?: unknown; params?: Record<string, unknown> };
  const values: MessageValues = {};
  if (typeof raw.minimum === "number" || typeof raw.minimum === "bigint") values.min = Number(raw.minimum);
  if (typeof raw.maximum === "number" || typeof raw.maximum === "bigint") values.max = Number(raw.maximum);
  if (Array.isArray(raw.values)) values.allowed = raw.values.map(String).join(", ");
  if (typeof raw.input === "string" || typeof raw.input === "number") values.value = raw.input;
  for (const [name, value] of Object.entries(raw.params ?? {})) if (typeof value === "string" || typeof value === "number") values[name] = value;
  return issue(field, zodIssue.message, values);
}

/** Bad input for a record: names each field and what was wrong, so a form or API can show it at the field. */
export class ValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; "));
  }

  static fromZod(error: z.ZodError): ValidationError {
    return new ValidationError(error.issues.map(fromZodIssue));
  }

  /** The same issues at one named field (a schema for a single value has no field path). */
  at(field: string): ValidationError {
    return new ValidationError(this.issues.map((i) => ({ ...i, field })));
  }
}

/** What parseEachField found: `data` when the whole parsed, and otherwise the fields that did. */
export interface FieldwiseParse<T> {
  data: T | undefined;
  fields: Partial<T>;
  /** The fields that did not parse, whose values the rules across fields cannot judge. */
  unparsed: ReadonlySet<string>;
  issues: FieldIssue[];
}

/**
 * Parses a record's input as a whole; when that fails, each field again on its own, so the rules
 * across fields can still judge the fields that parsed and one answer names every problem,
 * rather than the schema's first and the rules' only once those are mended.
 */
export function parseEachField<S extends z.ZodObject>(schema: S, input: unknown): FieldwiseParse<z.output<S>> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return { data: parsed.data, fields: parsed.data, unparsed: new Set(), issues: [] };
  const issues = ValidationError.fromZod(parsed.error).issues;
  const unparsed = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
  const fields: Record<string, unknown> = {};
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      if (unparsed.has(name)) continue;
      const one = field.safeParse((input as Record<string, unknown>)[name]);
      if (one.success && one.data !== undefined) fields[name] = one.data;
    }
  }
  return { data: undefined, fields: fields as Partial<z.output<S>>, unparsed, issues };
}

export class NotFoundError extends Error {}

/**
 * Names and one-line values hold no control characters: a NUL cannot be stored in PostgreSQL
 * text, and an escape sequence in a name would rewrite the terminal that lists it.
 */
export const singleLineText = (text: string): boolean => !/[\u0000-\u001f\u007f-\u009f]/.test(text);

/** Free text may break lines and use tabs, nothing else below space. */
export const multiLineText = (text: string): boolean => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text);
