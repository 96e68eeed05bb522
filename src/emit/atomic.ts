// Replaces a file the user named in one step: write a temporary file beside it, then rename over it,
// so a crash or a full disk leaves either the old file or the new one, never half of one.
import { randomBytes } from "node:crypto";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.gpuvm-tmp`);
  // Keep the file's permissions: the new file replaces it, it does not inherit them.
  const mode = await stat(path).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  try {
    await writeFile(temporary, content, { mode, flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
