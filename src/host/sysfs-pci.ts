import * as path from "node:path";
import { isPciAddress, roleOfClass } from "./pci-address.js";
import { lookupClassName, lookupPciNames, type PciIdsDb } from "./pci-ids.js";
import type { HostReader } from "./reader.js";
import type { PciFunction, ScanIssue } from "./types.js";

export const PCI_DEVICES_DIR = "sys/bus/pci/devices";

/** Reads one attribute file; "missing" is normal for optional attributes, anything else is an issue. */
function attr(
  reader: HostReader,
  dir: string,
  name: string,
  unknown: string[],
  issues: ScanIssue[],
): string | null {
  const r = reader.readText(`${dir}/${name}`);
  if (r.ok) return r.value.trim();
  if (!r.missing) {
    unknown.push(name);
    issues.push({ path: `${dir}/${name}`, reason: r.reason });
  }
  return null;
}

/** `0x10de` → `10de`; null for anything not a hex id of the given width. */
function hexId(value: string | null, width: number): string | null {
  if (value === null) return null;
  const m = /^0x([0-9a-fA-F]+)$/.exec(value);
  if (!m?.[1] || m[1].length > width) return null;
  return m[1].toLowerCase().padStart(width, "0");
}

/** Last path component of a link target: how sysfs names a device's driver and IOMMU group. */
function linkName(reader: HostReader, rel: string, unknown: string[], issues: ScanIssue[], label: string) {
  const r = reader.readLink(rel);
  if (r.ok) return path.basename(r.value);
  if (!r.missing) {
    unknown.push(label);
    issues.push({ path: rel, reason: r.reason });
  }
  return null;
}

export function readPciFunction(
  reader: HostReader,
  address: string,
  db: PciIdsDb | null,
  issues: ScanIssue[],
): PciFunction {
  const dir = `${PCI_DEVICES_DIR}/${address}`;
  const unknown: string[] = [];

  const vendorId = hexId(attr(reader, dir, "vendor", unknown, issues), 4);
  const deviceId = hexId(attr(reader, dir, "device", unknown, issues), 4);
  const subsystemVendorId = hexId(attr(reader, dir, "subsystem_vendor", unknown, issues), 4);
  const subsystemDeviceId = hexId(attr(reader, dir, "subsystem_device", unknown, issues), 4);
  const classCode = hexId(attr(reader, dir, "class", unknown, issues), 6);
  const overrideRaw = attr(reader, dir, "driver_override", unknown, issues);
  const bootVgaRaw = attr(reader, dir, "boot_vga", unknown, issues);
  const resetRaw = attr(reader, dir, "reset_method", unknown, issues);
  // Kernels before 5.15 have no reset_method; their `reset` file exists only when some reset works.
  const hasResetFile = resetRaw === null && reader.exists(`${dir}/reset`);
  const numaRaw = attr(reader, dir, "numa_node", unknown, issues);
  const driver = linkName(reader, `${dir}/driver`, unknown, issues, "driver");
  const groupName = linkName(reader, `${dir}/iommu_group`, unknown, issues, "iommu_group");

  const names = lookupPciNames(db, vendorId, deviceId, {
    vendor: subsystemVendorId,
    device: subsystemDeviceId,
  });
  const numa = numaRaw !== null && /^-?\d+$/.test(numaRaw) ? Number(numaRaw) : null;
  let resetMethods: string[] | null = null;
  if (resetRaw !== null) resetMethods = resetRaw.split(/\s+/).filter((s) => s !== "");
  else if (hasResetFile) resetMethods = ["unknown"];
  else if (!unknown.includes("reset_method") && reader.exists(`${dir}/vendor`)) resetMethods = [];

  return {
    address,
    id: vendorId && deviceId ? `${vendorId}:${deviceId}` : null,
    vendorId,
    deviceId,
    subsystemVendorId,
    subsystemDeviceId,
    classCode,
    role: roleOfClass(classCode),
    ...names,
    className: lookupClassName(db, classCode),
    driver,
    driverOverride:
      overrideRaw === null || overrideRaw === "(null)" || overrideRaw === "" ? null : overrideRaw,
    bootVga: bootVgaRaw === null ? null : bootVgaRaw === "1",
    resetMethods,
    numaNode: numa === -1 ? null : numa,
    iommuGroup: groupName !== null && /^\d+$/.test(groupName) ? Number(groupName) : null,
    unknown,
  };
}

/** Every PCI function under `sys/bus/pci/devices`, each read on its own so one bad entry stays contained. */
export function readPciFunctions(
  reader: HostReader,
  db: PciIdsDb | null,
  issues: ScanIssue[],
): PciFunction[] {
  const list = reader.listDir(PCI_DEVICES_DIR);
  if (!list.ok) {
    issues.push({ path: PCI_DEVICES_DIR, reason: list.reason });
    return [];
  }
  const out: PciFunction[] = [];
  for (const name of list.value) {
    if (!isPciAddress(name)) continue;
    const rel = `${PCI_DEVICES_DIR}/${name}`;
    const where = reader.realPath(rel);
    if (!where.ok) {
      // The entry is listed but leads nowhere (or out of the root): in sysfs these are links to sys/devices/….
      issues.push({ path: rel, reason: where.reason });
      out.push(unreadableFunction(name));
      continue;
    }
    out.push(readPciFunction(reader, name, db, issues));
  }
  return out;
}

/** A function whose device directory could not be read: every value unknown. */
export function unreadableFunction(address: string): PciFunction {
  return {
    address,
    id: null,
    vendorId: null,
    deviceId: null,
    subsystemVendorId: null,
    subsystemDeviceId: null,
    classCode: null,
    role: "other",
    vendorName: null,
    deviceName: null,
    subsystemName: null,
    className: null,
    driver: null,
    driverOverride: null,
    bootVga: null,
    resetMethods: null,
    numaNode: null,
    iommuGroup: null,
    unknown: ["device directory"],
  };
}
