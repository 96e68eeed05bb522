import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Every read the scanner makes goes through a HostReader, with paths relative to the
 * scanned root. Reads never throw: a missing file is `{ missing: true }`, anything else
 * that stops the read (permission, a directory where a file belongs, a dangling link)
 * is `{ error }`, so one odd file cannot end a scan.
 */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

export interface HostReader {
  readonly root: string;
  readText(rel: string): ReadResult<string>;
  /** Target of a symbolic link, as written in the link. */
  readLink(rel: string): ReadResult<string>;
  listDir(rel: string): ReadResult<string[]>;
  exists(rel: string): boolean;
}

function failure(err: unknown): { ok: false; missing: boolean; reason: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return { ok: false, missing: true, reason: "does not exist" };
    case "EACCES":
    case "EPERM":
      return { ok: false, missing: false, reason: "permission denied" };
    case "EISDIR":
      return { ok: false, missing: false, reason: "is a directory, expected a file" };
    case "ENOTDIR":
      return { ok: false, missing: false, reason: "is a file, expected a directory" };
    case "ELOOP":
      return { ok: false, missing: false, reason: "symbolic link loop" };
    case "EINVAL":
      return { ok: false, missing: false, reason: "is not a symbolic link" };
    default:
      return { ok: false, missing: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Reads a real directory tree: `/` in production, a fixture tree in tests. */
export function fsReader(root: string): HostReader {
  const abs = (rel: string) => path.join(root, rel);
  return {
    root,
    readText(rel) {
      try {
        return { ok: true, value: fs.readFileSync(abs(rel), "utf8") };
      } catch (err) {
        // A dangling link reads as ENOENT; say so, since the link itself is there.
        const f = failure(err);
        if (f.missing && isSymlink(abs(rel))) return { ok: false, missing: false, reason: "dangling link" };
        return f;
      }
    },
    readLink(rel) {
      try {
        return { ok: true, value: fs.readlinkSync(abs(rel)) };
      } catch (err) {
        return failure(err);
      }
    },
    listDir(rel) {
      try {
        return { ok: true, value: fs.readdirSync(abs(rel)).sort() };
      } catch (err) {
        const f = failure(err);
        if (f.missing && isSymlink(abs(rel))) return { ok: false, missing: false, reason: "dangling link" };
        return f;
      }
    },
    exists(rel) {
      return fs.existsSync(abs(rel));
    },
  };
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
