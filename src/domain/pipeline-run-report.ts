import { z } from "zod";
import { isStoredText, type StoredText } from "../i18n/stored-text.ts";
import { ValidationError } from "./validation.ts";

/**
 * What a pipeline run saw, as `pipeline up/verify/rotate/status` records it on each instance: the
 * instances (production is the controller) and every direction of every edge with its health.
 * Names and URLs follow the pipeline file's rules, so a page can draw them without surprises.
 */
export const pipelineRunKinds = ["up", "verify", "rotate", "status"] as const;
export type PipelineRunKind = (typeof pipelineRunKinds)[number];

const instanceName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "lowercase letters, digits and -, starting with a letter");
const isoOrEmpty = z.union([z.literal(""), z.iso.datetime()]);
const storedText = z.custom<StoredText>((value) => isStoredText(value) && JSON.stringify(value).length <= 2000, "a catalog text of known keys, at most 2000 characters as JSON");

export const pipelineRunReportSchema = z
  .strictObject({
    kind: z.enum(pipelineRunKinds),
    ok: z.boolean(),
    instances: z
      .array(z.strictObject({ name: instanceName, url: z.url({ protocol: /^https?$/ }).max(500), controller: z.boolean() }))
      .min(2)
      .max(50),
    edges: z
      .array(
        z.strictObject({
          from: instanceName,
          to: instanceName,
          provider: z.string().min(1).max(100),
          status: z.enum(["ok", "broken"]),
          detail: z.string().max(1000),
          /** The detail as a catalog text, so each instance's page words it in its reader's language; runs by older versions send only `detail`. */
          detail_text: storedText.optional(),
          token_expires_at: isoOrEmpty,
          /** The token renews itself when next used; runs by older versions do not say. */
          token_renewable: z.boolean().optional(),
        }),
      )
      .max(200),
    drift: z.array(z.string().max(1000)).max(200),
    /** The drift as catalog texts, one per line of `drift`; runs by older versions send only `drift`. */
    drift_text: z.array(storedText).max(200).optional(),
  })
  .superRefine((report, ctx) => {
    const names = new Set(report.instances.map((i) => i.name));
    if (names.size !== report.instances.length) ctx.addIssue({ code: "custom", path: ["instances"], message: "instance names must be unique" });
    if (report.instances.filter((i) => i.controller).length !== 1) ctx.addIssue({ code: "custom", path: ["instances"], message: "exactly one instance is the controller" });
    report.edges.forEach((e, index) => {
      if (!names.has(e.from) || !names.has(e.to) || e.from === e.to) ctx.addIssue({ code: "custom", path: ["edges", index], message: "an edge joins two different instances of the run" });
    });
  });

export type PipelineRunReport = z.output<typeof pipelineRunReportSchema>;

export function parsePipelineRunReport(input: unknown): PipelineRunReport {
  const parsed = pipelineRunReportSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

export interface RecordedPipelineRun {
  sysId: string;
  recordedAt: number;
  recordedBy: string;
  report: PipelineRunReport;
}
