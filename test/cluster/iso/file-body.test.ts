import { createHash, randomBytes } from "node:crypto";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { writeFileBody } from "../../../src/cluster/iso/file-body.js";
import { tempDir } from "../../support/temp.js";

const dir = tempDir("gpuvm-file-body-");
const MiB = 1024 * 1024;

/** A file of random bytes (no two chunks alike, so a chunk sent twice or overwritten shows); its SHA-256. */
function randomFile(name: string, size: number): { path: string; digest: string } {
  const path = join(dir, name);
  const bytes = randomBytes(size);
  writeFileSync(path, bytes);
  return { path, digest: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * A body like a slow socket: it takes each chunk's bytes only when it calls the write back, some
 * milliseconds later, so a sender that reused a buffer too early would deliver the wrong bytes. It counts
 * the bytes handed to write() and not yet called back: what the sender holds in memory for it.
 */
function slowBody(delayMs = 2) {
  const received = createHash("sha256");
  const state = { bytes: 0, inFlight: 0, mostInFlight: 0 };
  const body: any = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        received.update(chunk);
        state.bytes += chunk.length;
        callback();
      }, delayMs);
    },
  });
  const write = body.write.bind(body);
  body.write = (chunk: Buffer, callback: (error?: Error | null) => void) => {
    state.inFlight += chunk.length;
    state.mostInFlight = Math.max(state.mostInFlight, state.inFlight);
    return write(chunk, (error?: Error | null) => {
      state.inFlight -= chunk.length;
      callback(error);
    });
  };
  return { body: body as Writable, state, digest: () => received.digest("hex") };
}

describe("writeFileBody", () => {
  it("sends exactly the file's bytes and returns their SHA-256, for a size that is no multiple of the chunk", async () => {
    const size = 9 * MiB + 12_345;
    const { path: file, digest } = randomFile("image.iso", size);
    const { body, state, digest: received } = slowBody();
    const progress: number[] = [];
    await expect(writeFileBody(body, file, size, (n) => progress.push(n))).resolves.toBe(digest);
    expect(state.bytes).toBe(size);
    expect(received()).toBe(digest);
    expect(progress.at(-1)).toBe(size);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("keeps at most 4 MiB in flight, whatever the file's size", async () => {
    const { path: file } = randomFile("large.iso", 4096);
    truncateSync(file, 64 * MiB); // sparse: cheap to make, still 64 MiB to read
    const { body, state } = slowBody(1);
    await writeFileBody(body, file, 64 * MiB);
    expect(state.bytes).toBe(64 * MiB);
    expect(state.mostInFlight).toBeGreaterThan(0);
    expect(state.mostInFlight).toBeLessThanOrEqual(4 * MiB);
  });

  it("fails with the body's own error when the connection breaks, not with the writes it failed", async () => {
    const size = 6 * MiB;
    const { path: file } = randomFile("broken.iso", size);
    let taken = 0;
    const body = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        taken += chunk.length;
        if (taken > 2 * MiB) {
          // As a socket does: the stream dies with the reset; later writes fail as "destroyed".
          this.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
          callback();
          return;
        }
        setImmediate(callback);
      },
    });
    body.on("error", () => undefined); // the caller's request handler would take it
    await expect(writeFileBody(body, file, size)).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("refuses a file that is shorter than the size it was measured at", async () => {
    const { path: file } = randomFile("shrunk.iso", 3 * MiB);
    const { body } = slowBody(0);
    await expect(writeFileBody(body, file, 5 * MiB)).rejects.toThrow(
      `${file} ended after ${3 * MiB} of ${5 * MiB} bytes`,
    );
  });
});
