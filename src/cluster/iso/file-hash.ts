// SHA-256 of a file, computed in a worker thread so that hashing a multi-GiB image does not take CPU time
// from the upload streaming on the main thread: the two run side by side.
import { stat } from "node:fs/promises";
import { Worker } from "node:worker_threads";

// Inline so it runs the same from dist/ and from the TypeScript sources under test.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { createReadStream } = require("node:fs");
const hash = createHash("sha256");
createReadStream(workerData, { highWaterMark: 1024 * 1024 })
  .on("data", (chunk) => hash.update(chunk))
  .on("end", () => parentPort.postMessage(hash.digest("hex")))
  .on("error", (error) => parentPort.postMessage({ error: error.message }));
`;

export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // execArgv: [] keeps the worker CommonJS even when this process runs with --input-type=module.
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: path,
      execArgv: [],
      // Chunks live outside the heap; a small heap keeps the upload under its memory budget.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.once("message", (message: string | { error: string }) => {
      if (typeof message === "string") resolve(message);
      else reject(new Error(`cannot read ${path}: ${message.error}`));
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

/** What identifies a file's content cheaply: a change between two stats means it was rewritten. */
export async function fileStamp(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.size}:${info.mtimeMs}:${info.ino}`;
}
