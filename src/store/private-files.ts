import fs from "node:fs";
import path from "node:path";

/**
 * The data directory holds password hashes, emails, audit rows, token hashes and the secret
 * key, so what Portcullis creates there is for its own user alone: the directory 0700, the
 * database 0600. SQLite gives the -wal and -shm files it makes later the main file's mode, so
 * creating that one 0600 covers all three. What the operator made keeps its mode
 * (src/store/data-directory.ts warns at start).
 */

/** Creates `dir` (mode 0700) if missing; parents made on the way get the usual mode, as `mkdir -p` gives them. */
export function makePrivateDirectory(dir: string): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    // Another process starting beside this one made it first.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/**
 * Creates an empty file 0600 unless it exists, before SQLite opens it (SQLite would make it 0644
 * less the umask). The chmod keeps the mode from an umask stricter than 077, which would leave
 * a database its own user cannot write.
 */
export function createPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  try {
    fs.fchmodSync(fd, 0o600);
  } finally {
    fs.closeSync(fd);
  }
}
