import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { lookupClassName, lookupPciNames, parsePciIds } from "../../src/host/pci-ids.js";
import { PCI_IDS_EXCERPT } from "../fixtures/hosts/pci-ids-excerpt.js";
import { requirePrerequisite } from "../support/prerequisites.js";

describe("pci.ids parser", () => {
  const db = parsePciIds(PCI_IDS_EXCERPT);

  it("names vendor, device and subsystem", () => {
    expect(lookupPciNames(db, "10de", "2206", { vendor: "1462", device: "3892" })).toEqual({
      vendorName: "NVIDIA Corporation",
      deviceName: "GA102 [GeForce RTX 3080]",
      subsystemName: "RTX 3080 10GB GAMING X TRIO",
    });
  });

  it("is case-insensitive for ids, as sysfs and lspci disagree on case", () => {
    expect(lookupPciNames(db, "10DE", "1AEF").deviceName).toBe("GA102 High Definition Audio Controller");
  });

  it("answers null for ids it does not know, and for a missing database", () => {
    expect(lookupPciNames(db, "10de", "ffff")).toEqual({
      vendorName: "NVIDIA Corporation",
      deviceName: null,
      subsystemName: null,
    });
    expect(lookupPciNames(null, "10de", "2206").deviceName).toBeNull();
  });

  it("keeps class-section lines out of the last vendor", () => {
    // "\t00  VGA compatible controller" under "C 03" must not become a device of the last vendor.
    expect(db.vendors.get("8086")?.devices.has("00")).toBe(false);
    expect(lookupClassName(db, "030000")).toBe("VGA compatible controller");
    expect(lookupClassName(db, "030200")).toBe("3D controller");
    expect(lookupClassName(db, "0c0330")).toBe("USB controller");
  });

  const system = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"].find((p) => fs.existsSync(p));
  const haveSystem = requirePrerequisite(
    "pci.ids",
    system !== undefined,
    "the full-database test reads Debian's /usr/share/misc/pci.ids; install the pci.ids package (bash test/prepare as root does)",
  );
  it.runIf(haveSystem)("reads the full system database", () => {
    const full = parsePciIds(fs.readFileSync(system as string, "utf8"));
    expect(full.vendors.size).toBeGreaterThan(1000);
    expect(lookupPciNames(full, "10de", "2206").deviceName).toBe("GA102 [GeForce RTX 3080]");
    expect(lookupClassName(full, "010802")).toBe("Non-Volatile memory controller");
  });
});
