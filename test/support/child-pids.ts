import fs from "node:fs";

/** The pids of a process's children (Linux); elsewhere, null. */
export function childPids(pid: number): number[] | null {
  if (process.platform !== "linux") return null;
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}
