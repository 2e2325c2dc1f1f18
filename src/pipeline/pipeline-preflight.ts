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

function accessProblem(instance: PipelineInstance, error: unknown): StoredText {
  const who = { instance: instance.name, url: instance.url };
  if (!(error instanceof RemoteAdminError)) return { key: "trust.access.failed", values: { ...who, reason: String((error as Error)?.message ?? error) } };
  if (error.code === "certificate") return { key: "trust.access.certificate", values: { ...who, reason: error.reason ?? error.message } };
  if (error.status === 0) return { key: "trust.access.unreachable", values: { ...who, reason: error.reason ?? error.message } };
  const user = instance.admin.user_env ? `$${instance.admin.user_env}` : instance.admin.user;
  if (error.status === 401) return { key: "trust.access.refused", values: { ...who, user, variable: instance.admin.password_env } };
  if (error.status === 403) return { key: "trust.access.notAdmin", values: { ...who, user } };
  return { key: "trust.access.failed", values: { ...who, reason: error.text } };
}

/**
 * Signs in to every instance before the first change. Without it a run stopped at the first
 * instance it could not reach, wrong password or untrusted certificate, after changing the ones
 * before it (production's redirect URLs, say), and the error named a URL, not the instance.
 */
export async function checkAccess(pipeline: PipelineFile, clients: Clients): Promise<void> {
  const instances = [pipeline.production, ...pipeline.instances];
  const problems = await Promise.all(instances.map((i) => clients.get(i.name)!.checkAccess().then(() => undefined, (error: unknown) => accessProblem(i, error))));
  const found = problems.filter((p): p is StoredText => p !== undefined);
  if (found.length > 0) throw new PipelineAccessError(found);
}
