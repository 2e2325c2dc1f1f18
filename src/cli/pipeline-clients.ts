import { ValidationError } from "../domain/validation.ts";
import { portcullisAdminClient } from "../pipeline/instance-admin-client.ts";
import type { PipelineFile } from "../pipeline/pipeline-file.ts";
import type { Clients } from "../pipeline/pipeline-plan.ts";
import { readCaCertificates, trustingDispatcher } from "../tls/trust.ts";
import { translator, type Translator } from "../i18n/translator.ts";

/** `--ca-file`, refused with its name: OpenSSL alone says "bad end line" and names no file. */
function caFileCertificates(file: string, i18n: Translator): string {
  try {
    return readCaCertificates(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code && !code.startsWith("ERR_") ? code : i18n.t("cli.pipeline.caFileNotPem");
    throw new ValidationError([{ field: "--ca-file", message: i18n.t("cli.pipeline.caFile", { file, reason }) }]);
  }
}

/** One admin client per instance, signed in with the credentials the environment holds. */
export function clientsFor(pipeline: PipelineFile, env: NodeJS.ProcessEnv, caFile?: string, i18n: Translator = translator("en")): Clients {
  const dispatcher = caFile ? trustingDispatcher(caFileCertificates(caFile, i18n)) : undefined;
  const clients: Clients = new Map();
  // Every variable that is not set, at once: one run to learn them all, not one per variable.
  const issues: { field: string; message: string }[] = [];
  for (const instance of [pipeline.production, ...pipeline.instances]) {
    const password = env[instance.admin.password_env];
    if (!password) issues.push({ field: `${instance.name}.admin.password_env`, message: i18n.t("cli.pipeline.passwordEnv", { variable: instance.admin.password_env, url: instance.url }) });
    const user = instance.admin.user_env ? env[instance.admin.user_env] : instance.admin.user;
    if (!user) issues.push({ field: `${instance.name}.admin.user_env`, message: i18n.t("cli.pipeline.userEnv", { variable: instance.admin.user_env ?? "" }) });
    if (password && user) clients.set(instance.name, portcullisAdminClient(instance.url, { user, password }, dispatcher));
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return clients;
}
