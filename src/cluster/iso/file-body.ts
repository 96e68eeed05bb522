// Writes a whole file into a request body and hashes it on the way, through a few buffers that are read
// into again and again. A read stream allocates a fresh buffer for every chunk: for a multi-GiB image that
// is thousands of allocations, page faults and garbage collections, which cost the upload more CPU than TLS
// itself. Here at most SLOTS × CHUNK bytes are in flight, whatever the file's size.
//
// The hash runs on this thread, between reading a chunk and handing it to the socket: bench/upload.ts
// measured that faster than a hashing worker over shared memory on a two-core machine, where the worker,
// the upload and the proxy took turns on the same cores.

import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type { Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { GpuvmError } from "../../errors.js";

const CHUNK = 1024 * 1024;
const SLOTS = 4;

/**
 * Writes `size` bytes of `path` into `body` (without ending it) and resolves to their SHA-256. Rejects
 * when `body` fails or closes early, or when the file is shorter than `size`.
 */
export async function writeFileBody(
  body: Writable,
  path: string,
  size: number,
  onProgress: (written: number) => void = () => undefined,
): Promise<string> {
  // The body's own error (ECONNRESET…) says more than the writes it fails afterwards ("stream destroyed").
  let failure: Error | undefined;
  let fail: (error: Error) => void = () => undefined;
  const bodyFailed = new Promise<never>((_, reject) => {
    fail = (error) => {
      failure ??= error;
      reject(failure);
    };
  });
  bodyFailed.catch(() => undefined); // raced below; an early close must not go unhandled
  const onError = (error: Error) => fail(error);
  const onClose = () => fail(new Error("socket hang up"));
  body.once("error", onError);
  body.once("close", onClose);
  const hash = createHash("sha256");
  const slots = Array.from({ length: SLOTS }, () => Buffer.allocUnsafeSlow(CHUNK));
  // A slot is read into again only once the write that took it has called back: its bytes have left.
  const written: Promise<void>[] = slots.map(() => Promise.resolve());
  const file = await open(path);
  // The next chunk is read while this one is hashed and handed over: the read waits on the disk or the
  // page cache, the hash on the CPU, and neither has to wait for the other.
  let requested = 0;
  const readInto = async (slot: number) => {
    await Promise.race([written[slot], bodyFailed]);
    const offset = requested;
    const length = Math.min(CHUNK, size - offset);
    requested += length;
    const { bytesRead } = await file.read(slots[slot] as Buffer, 0, length, offset);
    // Short only at the end of a file, so a file that shrank since it was measured.
    if (bytesRead !== length) {
      throw new GpuvmError(`${path} ended after ${offset + bytesRead} of ${size} bytes`, {
        hint: "the file shrank while it was uploaded: run the upload again once it is complete",
      });
    }
    return bytesRead;
  };
  let reading = size > 0 ? readInto(0) : undefined;
  try {
    let position = 0;
    for (let turn = 0; reading; turn++) {
      const slot = turn % SLOTS;
      const bytesRead = await reading;
      position += bytesRead;
      reading = requested < size ? readInto((turn + 1) % SLOTS) : undefined;
      reading?.catch(() => undefined); // awaited next turn; a failure meanwhile is reported then
      const chunk = (slots[slot] as Buffer).subarray(0, bytesRead);
      hash.update(chunk);
      const write = new Promise<void>((resolve, reject) =>
        body.write(chunk, (error) => (error ? reject(error) : resolve())),
      );
      write.catch(() => undefined); // awaited when the slot comes round again, or at the end
      written[slot] = write;
      onProgress(position);
    }
    await Promise.race([Promise.all(written), bodyFailed]);
    return hash.digest("hex");
  } catch (error) {
    await nextTurn(); // lets the body report why it failed, when it was its connection
    throw failure ?? error;
  } finally {
    body.off("error", onError);
    body.off("close", onClose);
    await reading?.catch(() => undefined); // never close the file under a read in flight
    await file.close();
  }
}
