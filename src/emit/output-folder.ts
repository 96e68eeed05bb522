// `render --out DIR`: writes one target's files into DIR/<target>/ and keeps DIR's manifest.
// DIR is the user's; everything below it is checked before anything is written: no folder on the way
// may be a symbolic link, no file name may be one, and no path may leave the folder. Files gpuvm wrote
// earlier and no longer renders are listed, and removed only with prune (--prune-files) and only when
// they still hold what gpuvm wrote; files gpuvm did not write are never touched.
import { lstat, mkdir, readFile, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { GpuvmError } from "../errors.js";
import type { TextFile } from "../render/object.js";
import { quoteForMessage } from "../terminal.js";
import { errnoCode, existingTarget, lstatOrNothing, writeFileAtomic } from "./atomic.js";
import { checksum, MANIFEST_NAME, type ManifestEntries, manifestText, readManifest } from "./manifest.js";
import { outputPathSegments } from "./safe-path.js";

export interface FolderResult {
  /** DIR/<target>. */
  folder: string;
  /** Rendered files written (the manifest not counted). */
  written: number;
  /** Rendered files that replaced content the user had edited since gpuvm wrote it. */
  replacedEdited: string[];
  /** Rendered files that replaced a different file gpuvm had no record of writing. */
  replacedUnrecorded: string[];
  /** Files gpuvm wrote earlier, unchanged since, no longer rendered, left because prune was off. */
  stale: string[];
  /** Such files removed (prune on). */
  removed: string[];
  /** Files gpuvm wrote earlier, no longer rendered, edited since: always left. */
  keptEdited: string[];
  /** Anything else the user should know (an unreadable manifest, a stale name that is now a link). */
  notes: string[];
}

/**
 * Checks that every folder from `base` down to the file `segments` names is a real folder, not a link.
 * With create, makes the missing ones; without, stops at the first missing one (nothing below exists).
 */
async function checkFolders(base: string, segments: string[], create: boolean): Promise<void> {
  let path = base;
  for (const segment of segments.slice(0, -1)) {
    path = join(path, segment);
    let info = await lstatOrNothing(path);
    if (!info) {
      if (!create) return;
      await mkdir(path).catch((error: unknown) => {
        if (errnoCode(error) !== "EEXIST") {
          throw new GpuvmError(
            `cannot create ${quoteForMessage(path)}: ${errnoCode(error) ?? String(error)}`,
          );
        }
      });
      // Look again: what stands there now is what the next step goes into.
      info = await lstat(path);
    }
    if (info.isSymbolicLink()) {
      throw new GpuvmError(
        `${quoteForMessage(path)} is a symbolic link; gpuvm writes below ${quoteForMessage(base)} only into real folders`,
        { hint: "remove the link, or point --out at the folder it leads to" },
      );
    }
    if (!info.isDirectory()) throw new GpuvmError(`${quoteForMessage(path)} exists and is not a folder`);
  }
}

async function fileChecksum(path: string): Promise<string> {
  return checksum(await readFile(path));
}

/** Removes the folders between `folder` and the removed file that are now empty, deepest first. */
async function removeEmptyFolders(folder: string, segments: string[]): Promise<void> {
  for (let depth = segments.length - 1; depth > 0; depth--) {
    const removed = await rmdir(join(folder, ...segments.slice(0, depth))).then(
      () => true,
      () => false,
    );
    if (!removed) return;
  }
}

export async function writeOutputFolder(
  base: string,
  name: string,
  files: TextFile[],
  options: { prune: boolean },
): Promise<FolderResult> {
  const folder = join(base, name);
  const result: FolderResult = {
    folder,
    written: 0,
    replacedEdited: [],
    replacedUnrecorded: [],
    stale: [],
    removed: [],
    keptEdited: [],
    notes: [],
  };
  // Every path is checked, and every place it leads to inspected, before the first byte is written.
  const [folderSegment] = outputPathSegments(name);
  if (folderSegment !== name)
    throw new GpuvmError(`output folder name ${quoteForMessage(name)} is not one name`);
  const planned = new Map<string, { segments: string[]; content: string }>();
  for (const file of files) {
    const segments = outputPathSegments(file.path);
    if (planned.has(file.path))
      throw new GpuvmError(`two files would be written to ${quoteForMessage(file.path)}`);
    planned.set(file.path, { segments, content: file.content });
  }
  await mkdir(base, { recursive: true });
  const previous = await readManifest(base);
  if (previous.problem) result.notes.push(previous.problem);
  // This target's entries only: other targets' folders are left to their own renders.
  const prefix = `${name}/`;
  const earlier = [...previous.entries].filter(([path]) => path.startsWith(prefix));
  if (planned.size === 0 && earlier.length === 0) return result;

  for (const [path, { segments, content }] of planned) {
    await checkFolders(base, [name, ...segments], false);
    const full = join(folder, path);
    if (!(await existingTarget(full))) continue;
    const onDisk = await fileChecksum(full);
    if (onDisk === checksum(content)) continue;
    const recorded = previous.entries.get(prefix + path);
    if (recorded === undefined) result.replacedUnrecorded.push(path);
    else if (recorded !== onDisk) result.replacedEdited.push(path);
  }

  const entries: ManifestEntries = new Map(previous.entries);
  let changed = false;
  const saveManifest = () => writeFileAtomic(join(base, MANIFEST_NAME), manifestText(entries));
  try {
    for (const [path, { segments, content }] of planned) {
      await checkFolders(base, [name, ...segments], true);
      await writeFileAtomic(join(folder, path), content);
      entries.set(prefix + path, checksum(content));
      changed = true;
      result.written++;
    }
    for (const [entry, recorded] of earlier) {
      const path = entry.slice(prefix.length);
      if (planned.has(path)) continue;
      const segments = path.split("/");
      const full = join(folder, path);
      try {
        await checkFolders(base, [name, ...segments], false);
        if (!(await existingTarget(full))) {
          entries.delete(entry);
          changed = true;
          continue;
        }
      } catch (error) {
        // Now a link or a folder: not the file gpuvm wrote, so not gpuvm's to list or remove.
        result.notes.push(`${error instanceof Error ? error.message : String(error)}; left in place`);
        entries.delete(entry);
        changed = true;
        continue;
      }
      if ((await fileChecksum(full)) !== recorded) {
        result.keptEdited.push(path);
      } else if (options.prune) {
        await rm(full);
        await removeEmptyFolders(folder, segments);
        entries.delete(entry);
        changed = true;
        result.removed.push(path);
      } else {
        result.stale.push(path);
      }
    }
    await saveManifest();
    changed = false;
  } finally {
    // Interrupted half way: record what was written, so a later render still knows those files.
    if (changed) await saveManifest().catch(() => undefined);
  }
  return result;
}
