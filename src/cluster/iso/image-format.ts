// Recognises installation images before anything is sent: an ISO 9660 primary volume descriptor or a
// UDF volume recognition sequence, both starting at sector 16 (byte 0x8000) of the image.

import { open } from "node:fs/promises";
import { GpuvmError } from "../../errors.js";

export type ImageFormat = "iso9660" | "udf";

const SECTOR = 2048;
const FIRST_DESCRIPTOR = 16 * SECTOR;
/** ISO 9660 ends its descriptor set within a few sectors; UDF's recognition sequence is just as short. */
const DESCRIPTORS_TO_READ = 16;
const UDF_IDS = new Set(["BEA01", "NSR02", "NSR03", "TEA01", "BOOT2", "CD001"]);

/** Classifies the first descriptors of an image (bytes from offset 0x8000 on). */
export function classifyDescriptors(bytes: Buffer): ImageFormat | undefined {
  const ids: string[] = [];
  for (let at = 0; at + 6 <= bytes.length; at += SECTOR) {
    ids.push(bytes.toString("latin1", at + 1, at + 6));
  }
  // A UDF image (also "UDF bridge" DVDs, which carry both) names BEA01 and NSR02/NSR03.
  const nsr = ids.includes("NSR02") || ids.includes("NSR03");
  if (ids.includes("BEA01") && nsr) return "udf";
  if (ids[0] === "CD001") return "iso9660";
  // UDF without the optional beginning descriptor is still recognisable by its NSR descriptor.
  if (nsr && ids.every((id) => UDF_IDS.has(id) || id === "\0\0\0\0\0")) return "udf";
  return undefined;
}

export class NotAnImageError extends GpuvmError {
  constructor(path: string, size: number) {
    super(
      size < FIRST_DESCRIPTOR + 6
        ? `${path} is not an ISO image: it is ${size} bytes, smaller than an ISO 9660 or UDF header`
        : `${path} is not an ISO image: no ISO 9660 ("CD001") or UDF ("BEA01"/"NSR02"/"NSR03") volume descriptor at offset 0x8001`,
    );
  }
}

/** Reads the descriptors of `path`; throws NotAnImageError unless it is ISO 9660 or UDF. */
export async function checkImage(path: string): Promise<{ format: ImageFormat; size: number }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(DESCRIPTORS_TO_READ * SECTOR);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, FIRST_DESCRIPTOR);
    const format = classifyDescriptors(buffer.subarray(0, bytesRead));
    if (!format) throw new NotAnImageError(path, size);
    return { format, size };
  } finally {
    await handle.close();
  }
}
