import * as fs from "node:fs";
import * as path from "node:path";

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

/** The nearest directory of `abs` that exists (where a new file's directories would be created). */
function nearestExisting(abs: string): string {
  let dir = path.dirname(abs);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The real writer: plain file writes under root, which is what sysfs attributes are. */
export function fsWriter(root: string): SysfsWriter {
  return {
    cannotWrite(rel, options = {}) {
      const abs = path.join(root, rel);
      try {
        if (options.create && !fs.existsSync(abs)) {
          const dir = nearestExisting(abs);
          if (!fs.statSync(dir).isDirectory()) return `${path.relative(root, dir)} is not a directory`;
          fs.accessSync(dir, fs.constants.W_OK);
          return null;
        }
        if (!fs.statSync(abs).isFile()) return "is not a file";
        fs.accessSync(abs, fs.constants.W_OK);
        return null;
      } catch (err) {
        return reasonOf(err);
      }
    },
    write(rel, value, options = {}) {
      const abs = path.join(root, rel);
      if (options.create) fs.mkdirSync(path.dirname(abs), { recursive: true });
      // One write call per attribute: sysfs acts on each write(2), so no appending or buffering.
      fs.writeFileSync(abs, value);
    },
  };
}
