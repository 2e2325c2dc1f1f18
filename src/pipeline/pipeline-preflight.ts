import type { StoredText } from "../i18n/stored-text.ts";
import type { PipelineFile, PipelineInstance } from "./pipeline-file.ts";
import { RemoteAdminError } from "./instance-admin-client.ts";
import type { Clients } from "./pipeline-plan.ts";

/** Every instance that could not be signed in to, each named with its cause; the caller words the texts. */
export class PipelineAccessError extends Error {
  constructor(readonly texts: StoredText[]) {
    super(texts.map((t) => t.key).join(", "));
  }
}

/** An instance this run cannot use: why, with its cure, for the command's reader; and what the directions that need it say, on the tables and the Pipeline pages. */
export interface UnusableInstance {
  instance: PipelineInstance;
  access: StoredText;
  edgeDetail: StoredText;
}

function accessProblem(instance: PipelineInstance, error: unknown): Omit<UnusableInstance, "instance"> {
  const who = { instance: instance.name, url: instance.url };
  if (!(error instanceof RemoteAdminError)) {
    const reason = String((error as Error)?.message ?? error);
    return { access: { key: "trust.access.failed", values: { ...who, reason } }, edgeDetail: { key: "trust.detail.instanceUnusable", values: { ...who, reason } } };
  }
  const reason = error.reason ?? error.message;
  if (error.code === "certificate") return { access: { key: "trust.access.certificate", values: { ...who, reason } }, edgeDetail: { key: "trust.detail.instanceUntrusted", values: { ...who, reason } } };
  if (error.status === 0) return { access: { key: "trust.access.unreachable", values: { ...who, reason } }, edgeDetail: { key: "trust.detail.instanceUnreachable", values: { ...who, reason } } };
  const edgeDetail: StoredText = { key: "trust.detail.instanceUnusable", values: { ...who, reason: error.text } };
  const user = instance.admin.user_env ? `$${instance.admin.user_env}` : instance.admin.user;
  if (error.status === 401) return { access: { key: "trust.access.refused", values: { ...who, user, variable: instance.admin.password_env } }, edgeDetail };
  if (error.status === 403) return { access: { key: "trust.access.notAdmin", values: { ...who, user } }, edgeDetail };
  return { access: { key: "trust.access.failed", values: { ...who, reason: error.text } }, edgeDetail };
}

/** Signs in to every instance at once; the ones that cannot be used, each with its cause. */
export async function unusableInstances(pipeline: PipelineFile, clients: Clients): Promise<UnusableInstance[]> {
  const instances = [pipeline.production, ...pipeline.instances];
  const problems = await Promise.all(instances.map((instance) => clients.get(instance.name)!.checkAccess().then(() => undefined, (error: unknown) => ({ instance, ...accessProblem(instance, error) }))));
  return problems.filter((p): p is UnusableInstance => p !== undefined);
}

/**
 * Signs in to every instance before the first change. Without it a run stopped at the first
 * instance it could not reach, wrong password or untrusted certificate, after changing the ones
 * before it (production's redirect URLs, say), and the error named a URL, not the instance.
 */
export async function checkAccess(pipeline: PipelineFile, clients: Clients): Promise<void> {
  const found = await unusableInstances(pipeline, clients);
  if (found.length > 0) throw new PipelineAccessError(found.map((f) => f.access));
}
