import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkImage, NotAnImageError } from "../../../src/cluster/iso/image-format.js";
import { writeIsoImage } from "../../support/iso-image.js";
import { tempDir } from "../../support/temp.js";

const dir = tempDir("gpuvm-iso-format-");

describe("checkImage", () => {
  it("recognises ISO 9660 and UDF images", async () => {
    const iso = join(dir, "a.iso");
    writeIsoImage(iso, 200_000);
    await expect(checkImage(iso)).resolves.toEqual({ format: "iso9660", size: 200_000 });
    const udf = join(dir, "b.iso");
    writeIsoImage(udf, 300_000, "udf");
    await expect(checkImage(udf)).resolves.toEqual({ format: "udf", size: 300_000 });
  });

  it("refuses a disk image, a text file and a tiny file with a message naming the file", async () => {
    const qcow = join(dir, "disk.qcow2");
    writeFileSync(qcow, Buffer.concat([Buffer.from("QFI\xfb", "latin1"), Buffer.alloc(100_000)]));
    await expect(checkImage(qcow)).rejects.toThrow(/disk\.qcow2 is not an ISO image: no ISO 9660/);
    const tiny = join(dir, "notes.iso");
    writeFileSync(tiny, "hello\n");
    await expect(checkImage(tiny)).rejects.toBeInstanceOf(NotAnImageError);
    await expect(checkImage(tiny)).rejects.toThrow(/6 bytes, smaller than/);
  });

  it("refuses an image whose CD001 is one byte off", async () => {
    const shifted = join(dir, "shifted.iso");
    const bytes = Buffer.alloc(100_000);
    bytes.write("CD001", 0x8002, "latin1");
    writeFileSync(shifted, bytes);
    await expect(checkImage(shifted)).rejects.toBeInstanceOf(NotAnImageError);
  });
});
