import type { StoredText } from "../i18n/stored-text.ts";
import type { PipelineFile, PipelineInstance } from "./pipeline-file.ts";
import { type Clients, endpointSpecs } from "./pipeline-plan.ts";

/**
 * Records a pipeline made that the file no longer plans: an instance removed from the file, or
 * renamed (its records are named after it). Nothing deletes them, and they keep working: the
 * removed instance still holds production's controller secret and a token, production still
 * holds one of its tokens. `up` cannot reach an instance the file no longer names, so they are
 * reported on the instances it does name, for a person to remove (README: Retiring an instance).
 */
const pipelineEndpoint = /^Pipeline .+ Client$/;
const pipelineProvider = /^Pipeline \S/;

export const leftoverKeys: readonly string[] = ["trust.drift.leftoverEndpoint", "trust.drift.leftoverProvider"];

/** Looked for on `instances`: the file's, or those of them a read-only run could sign in to. */
export async function leftoverRecords(pipeline: PipelineFile, clients: Clients, instances: PipelineInstance[]): Promise<StoredText[]> {
  const planned = new Map<string, Set<string>>();
  const plan = (instance: string, name: string) => planned.set(instance, (planned.get(instance) ?? new Set()).add(name));
  for (const spec of endpointSpecs(pipeline)) {
    plan(spec.host.name, spec.name);
    for (const c of spec.consumers) plan(c.instance.name, c.providerName);
  }
  const found: StoredText[] = [];
  for (const instance of instances) {
    const client = clients.get(instance.name)!;
    const mine = planned.get(instance.name) ?? new Set();
    for (const e of await client.listEndpoints()) {
      if (pipelineEndpoint.test(e.name) && !mine.has(e.name)) found.push({ key: "trust.drift.leftoverEndpoint", values: { instance: instance.name, name: e.name } });
    }
    for (const p of await client.listProviders()) {
      if (pipelineProvider.test(p.name) && p.tokenUrl.endsWith("/oauth_token.do") && !mine.has(p.name)) found.push({ key: "trust.drift.leftoverProvider", values: { instance: instance.name, name: p.name, url: p.tokenUrl } });
    }
  }
  return found;
}
