import * as fs from "node:fs";
import * as path from "node:path";
import { confine, relativeToRoot } from "./confine.js";

/**
 * Every read the scanner makes goes through a HostReader, with paths relative to the
 * scanned root. Reads never throw: a missing file is `{ missing: true }`, anything else
 * that stops the read (permission, a directory where a file belongs, a dangling link)
 * is `{ error }`, so one odd file cannot end a scan. A path whose links lead out of the
 * root is such an error: it is never followed (see confine.ts).
 */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

export interface HostReader {
  readonly root: string;
  readText(rel: string): ReadResult<string>;
  /** Target of a symbolic link, as written in the link. */
  readLink(rel: string): ReadResult<string>;
  listDir(rel: string): ReadResult<string[]>;
  exists(rel: string): boolean;
  /** Where `rel` really is, links followed, relative to the root (`sys/devices/pci0000:00/…`). */
  realPath(rel: string): ReadResult<string>;
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
  const inside = (rel: string) => confine(root, rel);
  return {
    root,
    readText(rel) {
      const c = inside(rel);
      if (!c.ok) return c;
      try {
        return { ok: true, value: fs.readFileSync(c.real, "utf8") };
      } catch (err) {
        return failure(err);
      }
    },
    readLink(rel) {
      // The link's text is data (a driver's or a group's name); only the directory it sits in is resolved.
      const dir = inside(path.dirname(rel));
      if (!dir.ok) return dir;
      try {
        return { ok: true, value: fs.readlinkSync(path.join(dir.real, path.basename(rel))) };
      } catch (err) {
        return failure(err);
      }
    },
    listDir(rel) {
      const c = inside(rel);
      if (!c.ok) return c;
      try {
        return { ok: true, value: fs.readdirSync(c.real).sort() };
      } catch (err) {
        return failure(err);
      }
    },
    exists(rel) {
      return inside(rel).ok;
    },
    realPath(rel) {
      const c = inside(rel);
      return c.ok ? { ok: true, value: relativeToRoot(root, c.real) } : c;
    },
  };
}
