// SHA-256 of a whole file (checking a local image against a volume's recorded checksum), and a cheap stamp
// that tells whether a file was rewritten between two moments.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { GpuvmError } from "../../errors.js";

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash);
  } catch (error) {
    throw new GpuvmError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return hash.digest("hex");
}

/** What identifies a file's content cheaply: a change between two stats means it was rewritten. */
export async function fileStamp(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.size}:${info.mtimeMs}:${info.ino}`;
}
