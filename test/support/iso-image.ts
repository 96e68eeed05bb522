// Writes small but real installation images for tests: an ISO 9660 primary volume descriptor (and,
// for UDF, the volume recognition sequence) in sector 16 on, followed by deterministic filler.
import { createHash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";

const SECTOR = 2048;

function descriptor(type: number, id: string): Buffer {
  const sector = Buffer.alloc(SECTOR);
  sector[0] = type;
  sector.write(id, 1, "latin1");
  sector[6] = 1; // version
  return sector;
}

/** Writes an image of `bytes` bytes; returns its SHA-256. `kind` "udf" adds BEA01/NSR03/TEA01. */
export function writeIsoImage(
  path: string,
  bytes: number,
  kind: "iso9660" | "udf" = "iso9660",
  seed = 1,
): string {
  const head = Buffer.alloc(16 * SECTOR);
  const descriptors =
    kind === "iso9660"
      ? [descriptor(1, "CD001"), descriptor(255, "CD001")]
      : [descriptor(0, "BEA01"), descriptor(0, "NSR03"), descriptor(0, "TEA01")];
  const hash = createHash("sha256");
  const fd = openSync(path, "w");
  try {
    let written = 0;
    const write = (chunk: Buffer) => {
      const part = chunk.subarray(0, Math.max(0, bytes - written));
      if (part.length === 0) return;
      writeSync(fd, part);
      hash.update(part);
      written += part.length;
    };
    write(head);
    for (const sector of descriptors) write(sector);
    // Filler that differs per seed, so two images of one size have different checksums.
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761 + seed * 40503) >>> 0, i);
    while (written < bytes) write(block);
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}
