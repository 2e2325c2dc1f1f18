import type { z } from "zod";

export interface FieldIssue {
  field: string;
  message: string;
}

/** Bad input for a record: names each field and what was wrong, so a form or API can show it at the field. */
export class ValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; "));
  }

  static fromZod(error: z.ZodError): ValidationError {
    return new ValidationError(error.issues.map((i) => ({ field: i.path.join("."), message: i.message })));
  }
}

export class NotFoundError extends Error {}
