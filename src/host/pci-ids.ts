/**
 * A parser for the pci.ids database (the file lspci reads): vendor lines, device lines
 * (one tab), subsystem lines (two tabs), and the class section (`C xx`).
 */

export interface PciIdsDb {
  vendors: Map<string, PciIdsVendor>;
  /** Class names by 2 hex digits, subclass names by 4 (`0300`). */
  classes: Map<string, string>;
}

export interface PciIdsVendor {
  name: string;
  devices: Map<string, PciIdsDevice>;
}

export interface PciIdsDevice {
  name: string;
  /** Keyed by `ssvv:ssdd`. */
  subsystems: Map<string, string>;
}

const VENDOR = /^([0-9a-fA-F]{4})\s+(.+)$/;
const DEVICE = /^\t([0-9a-fA-F]{4})\s+(.+)$/;
const SUBSYSTEM = /^\t\t([0-9a-fA-F]{4})\s+([0-9a-fA-F]{4})\s+(.+)$/;
const CLASS = /^C\s+([0-9a-fA-F]{2})\s+(.+)$/;
const SUBCLASS = /^\t([0-9a-fA-F]{2})\s+(.+)$/;

export function parsePciIds(text: string): PciIdsDb {
  const vendors = new Map<string, PciIdsVendor>();
  const classes = new Map<string, string>();
  let vendor: PciIdsVendor | undefined;
  let device: PciIdsDevice | undefined;
  let klass: string | undefined;

  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const trimmed = line.replace(/\s+$/, "");
    const classLine = CLASS.exec(trimmed);
    if (classLine) {
      klass = lower(classLine[1]);
      classes.set(klass, classLine[2] ?? "");
      vendor = undefined;
      device = undefined;
      continue;
    }
    if (klass !== undefined) {
      // Once the class section starts, one-tab lines are subclasses, not devices.
      const sub = SUBCLASS.exec(trimmed);
      if (sub) classes.set(klass + lower(sub[1]), sub[2] ?? "");
      continue;
    }
    const subsystemLine = SUBSYSTEM.exec(trimmed);
    if (subsystemLine) {
      device?.subsystems.set(`${lower(subsystemLine[1])}:${lower(subsystemLine[2])}`, subsystemLine[3] ?? "");
      continue;
    }
    const deviceLine = DEVICE.exec(trimmed);
    if (deviceLine) {
      if (!vendor) continue;
      device = { name: deviceLine[2] ?? "", subsystems: new Map() };
      vendor.devices.set(lower(deviceLine[1]), device);
      continue;
    }
    const vendorLine = VENDOR.exec(trimmed);
    if (vendorLine) {
      vendor = { name: vendorLine[2] ?? "", devices: new Map() };
      device = undefined;
      vendors.set(lower(vendorLine[1]), vendor);
    }
  }
  return { vendors, classes };
}

function lower(s: string | undefined): string {
  return (s ?? "").toLowerCase();
}

export interface PciNames {
  vendorName: string | null;
  deviceName: string | null;
  subsystemName: string | null;
}

export function lookupPciNames(
  db: PciIdsDb | null,
  vendorId: string | null,
  deviceId: string | null,
  subsystem?: { vendor: string | null; device: string | null },
): PciNames {
  const vendor = db && vendorId ? db.vendors.get(vendorId.toLowerCase()) : undefined;
  const device = vendor && deviceId ? vendor.devices.get(deviceId.toLowerCase()) : undefined;
  const subKey =
    subsystem?.vendor && subsystem.device
      ? `${subsystem.vendor}:${subsystem.device}`.toLowerCase()
      : undefined;
  return {
    vendorName: vendor?.name ?? null,
    deviceName: device?.name ?? null,
    subsystemName: (subKey && device?.subsystems.get(subKey)) || null,
  };
}

/** Name of a 6-digit class code: the subclass name when known, else the class name. */
export function lookupClassName(db: PciIdsDb | null, classCode: string | null): string | null {
  if (!db || !classCode) return null;
  const code = classCode.toLowerCase();
  return db.classes.get(code.slice(0, 4)) ?? db.classes.get(code.slice(0, 2)) ?? null;
}
