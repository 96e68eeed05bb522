// Every file gpuvm writes goes through here. The new content goes into a temporary file beside the
// target, created exclusively (a random name, O_EXCL, mode 0600 until it is complete), and is then
// renamed over the target, so:
// - a crash or a full disk leaves either the old file or the new one, never half of one;
// - a symbolic link planted at the temporary name is never followed (O_EXCL refuses any existing name,
//   a dangling link included), and rename replaces a directory entry, it never writes through one;
// - a symbolic link at the target's own name is refused, not followed and not replaced: the user may
//   have meant the link's target, or someone may have meant to redirect the write; either way gpuvm
//   says so and writes nothing;
// - an existing file keeps its permission bits and, when gpuvm runs as root, its owner and group.
import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { type FileHandle, link, lstat, open, readlink, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { GpuvmError } from "../errors.js";
import { quoteForMessage } from "../terminal.js";

/** The target exists and the caller asked not to overwrite it. */
export class FileExistsError extends GpuvmError {
  constructor(readonly path: string) {
    super(`${quoteForMessage(path)} exists already`);
  }
}

export interface AtomicWriteOptions {
  /** false: fail with FileExistsError when the target exists, decided atomically (default true). */
  overwrite?: boolean;
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** lstat of `path`, or undefined when nothing is there; any other failure is a GpuvmError naming it. */
export async function lstatOrNothing(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((error: unknown) => {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw new GpuvmError(`cannot inspect ${quoteForMessage(path)}: ${errnoCode(error) ?? String(error)}`);
  });
}

/**
 * What is at `path` now: undefined when nothing, its Stats when a regular file; throws a GpuvmError for
 * a symbolic link or anything else, which gpuvm never replaces.
 */
export async function existingTarget(path: string): Promise<Stats | undefined> {
  const info = await lstatOrNothing(path);
  if (!info) return undefined;
  if (info.isSymbolicLink()) {
    const to = await readlink(path).catch(() => "?");
    throw new GpuvmError(
      `${quoteForMessage(path)} is a symbolic link (to ${quoteForMessage(to)}); gpuvm neither writes through a link nor replaces it`,
      { hint: "name the file the link points to, or remove the link" },
    );
  }
  if (!info.isFile()) throw new GpuvmError(`${quoteForMessage(path)} exists and is not a regular file`);
  return info;
}

/** The mode a new file gets, as open(2) would give it: 0666 less the umask. */
function newFileMode(): number {
  try {
    // Reading the umask is allowed everywhere (setting it is not, in worker threads).
    return 0o666 & ~process.umask();
  } catch {
    return 0o644;
  }
}

async function createTemporary(path: string): Promise<{ temporary: string; handle: FileHandle }> {
  // Three tries: a clash of 64 random bits is an accident only once; a name that is taken every time
  // is someone planting files, and gpuvm stops rather than guess further.
  for (let attempt = 0; ; attempt++) {
    const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString("hex")}.gpuvm-tmp`);
    try {
      return { temporary, handle: await open(temporary, "wx", 0o600) };
    } catch (error) {
      if (errnoCode(error) !== "EEXIST" || attempt === 2) {
        throw new GpuvmError(
          `cannot create a temporary file beside ${quoteForMessage(path)}: ${errnoCode(error) ?? String(error)}`,
        );
      }
    }
  }
}

/** Moves the finished temporary file to `path` without replacing anything there (link fails on EEXIST). */
async function placeExclusively(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") throw new FileExistsError(path);
    // File systems without hard links: check, then rename (the one case with a window between the two).
    if ((await lstat(path).catch(() => undefined)) !== undefined) throw new FileExistsError(path);
    await rename(temporary, path);
    return;
  }
  await rm(temporary, { force: true });
}

/** Writes `content` to `path` as described at the top of this file. */
export async function writeFileAtomic(
  path: string,
  content: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const overwrite = options.overwrite ?? true;
  const existing = await existingTarget(path);
  if (existing && !overwrite) throw new FileExistsError(path);
  const { temporary, handle } = await createTemporary(path);
  let closed = false;
  try {
    await handle.writeFile(content, "utf8");
    if (existing && process.getuid?.() === 0) await handle.chown(existing.uid, existing.gid);
    await handle.chmod(existing ? existing.mode & 0o777 : newFileMode());
    await handle.sync();
    await handle.close();
    closed = true;
    if (overwrite) await rename(temporary, path);
    else await placeExclusively(temporary, path);
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    if (error instanceof GpuvmError) throw error;
    throw new GpuvmError(`cannot write ${quoteForMessage(path)}: ${errnoCode(error) ?? String(error)}`, {
      cause: error,
    });
  }
}
