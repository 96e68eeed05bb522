// Temporary folders for tests, each removed once its test file's tests are done, so runs leave nothing
// behind in the temp directory. Import it only from test files (it registers a Vitest afterAll).
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made: string[] = [];

// Registered when a test file first imports this module, so it belongs to that file; Vitest runs
// after-hooks in reverse order, so this runs after the file's own afterAll (which may stop the
// processes still writing into these folders).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder in the temp directory (its real path: macOS's tmpdir is a symlink). */
export function tempDir(prefix = "gpuvm-test-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** Writes `text` to `name` in a fresh temporary folder and returns the file's path. */
export function tempFile(name: string, text: string | Buffer, prefix = "gpuvm-test-"): string {
  const path = join(tempDir(prefix), name);
  writeFileSync(path, text);
  return path;
}
