import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { keyFileName } from "../consumer/secret-box.ts";
import type { LocalText } from "../i18n/translator.ts";
import { type DialectName, localStoreError, sqliteFile } from "./database.ts";

/**
 * Before the embedded database is opened: whether this user may write where it lives. At start:
 * whether other local users may open what it holds (the directory, the database, the secret key).
 */

/** This process's user, as the operator would name it to chown: its name, or its uid when it has none. */
function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "");
  }
}

/** The access check's verdict, or undefined when `target` may be written. */
function denied(target: string): "readOnly" | "notWritable" | undefined {
  try {
    fs.accessSync(target, fs.constants.W_OK | fs.constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EROFS") return "readOnly";
    return code === "EACCES" || code === "EPERM" ? "notWritable" : undefined;
  }
}

/**
 * SQLite opens a database it may not write as "unable to open database file" and names no
 * user, so the directory (or the parent it would be made in) and an existing database file are
 * checked first, and refused with who cannot write where.
 */
export function assertDataDirectoryWritable(dir: string): void {
  const user = currentUser();
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  // A file where the directory (or one above it) should be: said in these words, rather than
  // as whatever the first mkdir or open under it fails with (ENOTDIR).
  if (!fs.statSync(existing).isDirectory()) throw localStoreError({ key: "store.dataDir.notDirectory", values: { dir, file: existing } });
  const reason = denied(existing);
  if (reason && existing !== dir) throw localStoreError({ key: "store.dataDir.parentNotWritable", values: { dir, parent: existing, user, reason } });
  if (reason) throw localStoreError({ key: "store.dataDir.notWritable", values: { dir, user, reason } });
  const file = sqliteFile(dir);
  if (fs.existsSync(file) && !isWritable(file)) throw localStoreError({ key: "store.dataDir.fileNotWritable", values: { file, user } });
}

function isWritable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const modeText = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

/** Group or other bits set on `target`, if it exists: its mode, else undefined. */
function openMode(target: string): number | undefined {
  try {
    const mode = fs.statSync(target).mode;
    return mode & 0o077 ? mode : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What start warns about: a data directory holding the SQLite database, or the database and
 * secret key files, that other local users may open. Only an operator's own directory or files
 * can be so (what Portcullis creates is private), and their mode is the operator's to change.
 */
export function dataDirectoryWarnings(dir: string, dialect: DialectName): LocalText[] {
  const warnings: LocalText[] = [];
  const database = sqliteFile(dir);
  const directoryMode = dialect === "sqlite" ? openMode(dir) : undefined;
  if (directoryMode !== undefined) warnings.push({ key: "start.dataDir.openDirectory", values: { dir, mode: modeText(directoryMode) } });
  const candidates = [...(dialect === "sqlite" ? [database, `${database}-wal`, `${database}-shm`] : []), path.join(dir, keyFileName)];
  const open = candidates.flatMap((file) => {
    const mode = openMode(file);
    return mode === undefined ? [] : [{ file, mode }];
  });
  if (open.length > 0) {
    warnings.push({
      key: "start.dataDir.openFiles",
      values: { files: open.map(({ file, mode }) => `${file} (${modeText(mode)})`).join(", "), paths: open.map(({ file }) => file).join(" ") },
    });
  }
  return warnings;
}
