import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Keeps every read and write of `gpuvm host` inside its root. A copied /sys or a tree given
 * with --root may hold links that lead out of it (an absolute `/sys/devices/…` link, or one
 * planted to reach /etc); following those would read this machine's state as the other
 * host's, or write to this machine's files. So each path is resolved with realpath first and
 * refused when the result is outside the root.
 */
export type Confined = { ok: true; real: string } | { ok: false; missing: boolean; reason: string };

const rootCache = new Map<string, string>();

function realRoot(root: string): string {
  let real = rootCache.get(root);
  if (real === undefined) {
    try {
      real = fs.realpathSync.native(root);
    } catch {
      // A missing root: nothing under it exists, and its own name is the only place left to compare.
      real = path.resolve(root);
    }
    rootCache.set(root, real);
  }
  return real;
}

/** Whether `real` is `root` or below it (both already resolved). */
export function isInside(root: string, real: string): boolean {
  const r = realRoot(root);
  if (real === r) return true;
  return real.startsWith(r.endsWith(path.sep) ? r : `${r}${path.sep}`);
}

/** `real` as a path relative to the root, with `/` separators (how the rest of gpuvm names paths). */
export function relativeToRoot(root: string, real: string): string {
  return path.relative(realRoot(root), real).split(path.sep).join("/");
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The real path of `rel` under `root`, links followed, or why it may not be used.
 * With `mayNotExist`, a path that is not there yet resolves through its nearest existing
 * directory (where it would be created); a dangling link on the way is refused, since
 * creating through it would put the file wherever the link points.
 */
export function confine(root: string, rel: string, options: { mayNotExist?: boolean } = {}): Confined {
  const abs = path.join(root, rel);
  let real: string;
  try {
    real = fs.realpathSync.native(abs);
  } catch (err) {
    const code = errno(err);
    if (code === "ELOOP") return { ok: false, missing: false, reason: "symbolic link loop" };
    if (code === "EACCES" || code === "EPERM")
      return { ok: false, missing: false, reason: "permission denied" };
    if (code !== "ENOENT" && code !== "ENOTDIR")
      return { ok: false, missing: false, reason: (err as Error).message };
    const dangling = danglingLinkOn(root, abs);
    if (dangling) return { ok: false, missing: false, reason: dangling };
    if (!options.mayNotExist) return { ok: false, missing: true, reason: "does not exist" };
    const parent = confine(root, path.relative(root, path.dirname(abs)) || ".", options);
    if (!parent.ok) return parent;
    real = path.join(parent.real, path.basename(abs));
  }
  if (!isInside(root, real))
    return { ok: false, missing: false, reason: `leads out of the root, to ${real}; not followed` };
  return { ok: true, real };
}

/** A dangling link between the root and `abs`, described; null when there is none. */
function danglingLinkOn(root: string, abs: string): string | null {
  let p = abs;
  const top = path.resolve(root);
  while (p.length > top.length) {
    if (isLink(p) && !fs.existsSync(p)) {
      let target = "";
      try {
        target = fs.readlinkSync(p);
      } catch {}
      const resolved = path.resolve(path.dirname(p), target);
      return isInside(root, resolved)
        ? "dangling link"
        : `dangling link out of the root, to ${resolved}; not followed`;
    }
    p = path.dirname(p);
  }
  return null;
}
