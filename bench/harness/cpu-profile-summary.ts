import fs from "node:fs";

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) a summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  /** Of all sampled time, idle included. */
  share: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** Time the process was waiting (V8's "(idle)"): under load, time the server was not the bottleneck. */
  idle: number;
  /** Self time by where the code lives: a file of ours (dist/…), an npm package, a Node module, or V8's own (GC, program). */
  byPlace: Share[];
  /** Self time by function. */
  byFunction: Share[];
  /** Time in our functions and all they call (each counted once per sample): where a request's cost starts. */
  inclusiveOurs: Share[];
}

/** Where a frame's code lives, short: `dist/store/x.js`, `npm:fastify`, `node:_http_server`, or the V8 pseudo-frame's name. */
function placeOf(url: string, functionName: string): string {
  if (url === "") return functionName;
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (npm) return `npm:${npm[1]}`;
  const ours = /\/(dist|src|bench)\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url.replace(/^file:\/\//, "");
}

const frameName = (frame: CpuProfile["nodes"][number]["callFrame"]) => `${frame.functionName || "(anonymous)"} ${placeOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}`;

function ranked(totals: Map<string, number>, all: number, top: number): Share[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, time]) => ({ name, share: time / all }));
}

/** Self and inclusive time of one `.cpuprofile`, ranked. */
export function summarizeCpuProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let all = 0;
  let idle = 0;
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of selfByNode) {
    const frame = nodes.get(id)!.callFrame;
    all += time;
    if (frame.functionName === "(idle)") idle += time;
    const place = placeOf(frame.url, frame.functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + time);
    byFunction.set(frameName(frame), (byFunction.get(frameName(frame)) ?? 0) + time);
    // A recursive function is on the stack more than once but took the time once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const caller = nodes.get(at)!.callFrame;
      if (!/^(dist|src)\//.test(placeOf(caller.url, caller.functionName))) continue;
      const name = frameName(caller);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  const safeAll = all || 1;
  return { sampledMs: all / 1000, idle: idle / safeAll, byPlace: ranked(byPlace, safeAll, top), byFunction: ranked(byFunction, safeAll, top), inclusiveOurs: ranked(inclusive, safeAll, top) };
}

export function formatSummary(summary: ProfileSummary): string {
  const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  const section = (title: string, shares: Share[]) => [title, ...shares.map((s) => `  ${percent(s.share)}  ${s.name}`)].join("\n");
  return [
    `${summary.sampledMs.toFixed(0)} ms sampled, ${percent(summary.idle).trim()} of it idle`,
    section("Self time by place:", summary.byPlace),
    section("Self time by function:", summary.byFunction),
    section("Inclusive time of Portcullis functions (asynchronous callers are not on the stack):", summary.inclusiveOurs),
  ].join("\n\n");
}
