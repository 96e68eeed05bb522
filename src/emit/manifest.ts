// `DIR/.gpuvm-manifest.json` for `render --out DIR`: the files gpuvm wrote below DIR (as
// "<target>/<path>") and the checksum of what it wrote. Kept beside the target folders, not in them, so
// a GitOps tool reading DIR/<target>/ never sees it. It is how a later render tells its own stale files (listed, removed only
// with --prune-files) from files the user put there or edited since (never touched).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { quoteForMessage } from "../terminal.js";
import { existingTarget } from "./atomic.js";
import { outputPathSegments } from "./safe-path.js";

export const MANIFEST_NAME = ".gpuvm-manifest.json";

const COMMENT =
  "Files gpuvm render --out wrote below this folder, with the checksum of what it wrote. gpuvm reads it to find " +
  "the files it no longer renders (gpuvm render --out DIR --prune-files removes those still unchanged).";

/** Relative path → "sha256:<hex>" of the content gpuvm wrote there. */
export type ManifestEntries = Map<string, string>;

export function checksum(content: string | Buffer): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

export interface ReadManifest {
  entries: ManifestEntries;
  /** Why an existing manifest was not used; its files are then treated as not gpuvm's. */
  problem?: string;
}

function isSafe(path: string): boolean {
  try {
    // At least <target>/<file>: the manifest lists nothing directly beside itself.
    return outputPathSegments(path).length >= 2;
  } catch {
    return false;
  }
}

/** The manifest in `folder` (DIR), or no entries when there is none. A link or a directory there throws. */
export async function readManifest(folder: string): Promise<ReadManifest> {
  const path = join(folder, MANIFEST_NAME);
  if (!(await existingTarget(path))) return { entries: new Map() };
  const unusable = (why: string): ReadManifest => ({
    entries: new Map(),
    problem: `${quoteForMessage(path)} is not a manifest gpuvm can use (${why}); no earlier file counts as gpuvm's`,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch {
    return unusable("not JSON");
  }
  const files = (parsed as { version?: unknown; files?: unknown } | null)?.files;
  if (
    (parsed as { version?: unknown } | null)?.version !== 1 ||
    typeof files !== "object" ||
    files === null
  ) {
    return unusable("not version 1 with a files map");
  }
  const entries: ManifestEntries = new Map();
  for (const [file, sum] of Object.entries(files)) {
    // An entry that names a path outside the folder was not written by gpuvm: never act on it.
    if (typeof sum !== "string" || !/^sha256:[0-9a-f]{64}$/.test(sum) || !isSafe(file)) {
      return unusable(`entry "${quoteForMessage(file)}"`);
    }
    entries.set(file, sum);
  }
  return { entries };
}

/** The manifest's text: sorted, so that the same render gives the same bytes. */
export function manifestText(entries: ManifestEntries): string {
  const files = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ comment: COMMENT, version: 1, files }, null, 2)}\n`;
}
