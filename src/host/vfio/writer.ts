import * as fs from "node:fs";
import * as path from "node:path";
import { confine } from "../confine.js";

export interface WriteOptions {
  /** The file may not exist yet (gpuvm's state file); sysfs attributes always exist. */
  create?: boolean;
}

/**
 * Writes to sysfs and to gpuvm's state file go through a SysfsWriter, so tests can log the
 * exact sequence, inject failures, or simulate the kernel. Paths are relative to the root.
 */
export interface SysfsWriter {
  /** Why `rel` cannot be written, or null when it can. Checked for every target before the first write. */
  cannotWrite(rel: string, options?: WriteOptions): string | null;
  write(rel: string, value: string, options?: WriteOptions): void;
}

export function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EROFS") return "read-only file system";
  if (code === "EACCES" || code === "EPERM") return "permission denied (run as root)";
  if (code === "ENOENT") return "does not exist";
  if (code === "ENODEV") return "no such device (driver refused it)";
  return err instanceof Error ? err.message : String(err);
}

/**
 * The real writer: plain file writes under root, which is what sysfs attributes are. Every
 * target is resolved first and refused when a link would take it out of the root, so a tree
 * given with --root can never make gpuvm write to this machine's own files.
 */
export function fsWriter(root: string): SysfsWriter {
  return {
    cannotWrite(rel, options = {}) {
      const c = confine(root, rel, { mayNotExist: options.create ?? false });
      if (!c.ok) return c.reason;
      try {
        if (options.create && !fs.existsSync(c.real)) {
          const dir = nearestExisting(c.real);
          if (!fs.statSync(dir).isDirectory()) return `${path.relative(root, dir)} is not a directory`;
          fs.accessSync(dir, fs.constants.W_OK);
          return null;
        }
        if (!fs.statSync(c.real).isFile()) return "is not a file";
        fs.accessSync(c.real, fs.constants.W_OK);
        return null;
      } catch (err) {
        return reasonOf(err);
      }
    },
    write(rel, value, options = {}) {
      // Resolved again right before the write: the check above may be minutes old (a plan read by a person).
      const c = confine(root, rel, { mayNotExist: options.create ?? false });
      if (!c.ok) throw Object.assign(new Error(c.reason), { code: "EOUTSIDE" });
      if (options.create) fs.mkdirSync(path.dirname(c.real), { recursive: true });
      const flags =
        fs.constants.O_WRONLY |
        fs.constants.O_TRUNC |
        fs.constants.O_NOFOLLOW |
        (options.create ? fs.constants.O_CREAT : 0);
      const fd = fs.openSync(c.real, flags, 0o644);
      try {
        // One write call per attribute: sysfs acts on each write(2), so no appending or buffering.
        fs.writeSync(fd, value);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** The nearest directory of `abs` that exists (where a new file's directories would be created). */
function nearestExisting(abs: string): string {
  let dir = path.dirname(abs);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
