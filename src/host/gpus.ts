import { DISCRETE_GPU_VENDORS, HOST_DISPLAY_DRIVERS, VFIO_DRIVER } from "./drivers.js";
import { isBridgeRole, pciSlot } from "./pci-address.js";
import { unreadableFunction } from "./sysfs-pci.js";
import type { HostScan, IommuGroup, PciFunction } from "./types.js";

/** A passthrough candidate and everything its IOMMU group drags along. */
export interface GpuGroup {
  gpu: PciFunction;
  group: IommuGroup | null;
  /** Every endpoint of the group: all of them must go to vfio-pci together. */
  functions: PciFunction[];
  /** Endpoints that are other functions of the GPU card itself (audio, USB-C, …). */
  sameCard: PciFunction[];
  /** Endpoints that belong to other hardware: they block a clean passthrough. */
  strangers: PciFunction[];
  /** Bridges and root ports in the group; they stay on the host. */
  bridges: PciFunction[];
}

/** Display devices meant for passthrough, as opposed to a BMC or integrated display that stays with the host. */
export function isPassthroughCandidate(d: PciFunction, scan: HostScan): boolean {
  if (d.role !== "display") return false;
  if (d.driver === VFIO_DRIVER || d.driverOverride === VFIO_DRIVER) return true;
  const boundIds = [...(scan.cmdline?.vfioPciIds ?? []), ...scan.earlyBinding.modprobeVfioIds];
  if (d.id && boundIds.includes(d.id)) return true;
  if (d.driver && HOST_DISPLAY_DRIVERS.includes(d.driver)) return false;
  return d.vendorId !== null && DISCRETE_GPU_VENDORS.includes(d.vendorId);
}

export function gpuGroupOf(gpu: PciFunction, scan: HostScan): GpuGroup {
  const byAddress = new Map(scan.devices.map((d) => [d.address, d]));
  const group =
    gpu.iommuGroup === null ? null : (scan.iommuGroups.find((g) => g.id === gpu.iommuGroup) ?? null);
  const slot = pciSlot(gpu.address);
  // Without a group (IOMMU off) the card's own functions are still the ones that must move together.
  const members = group
    ? group.members.map((a) => byAddress.get(a) ?? unreadableFunction(a))
    : scan.devices.filter((d) => pciSlot(d.address) === slot);
  const functions = members.filter((m) => !isBridgeRole(m.role) || m.unknown.length > 0);
  return {
    gpu,
    group,
    functions,
    sameCard: functions.filter((f) => f.address !== gpu.address && pciSlot(f.address) === slot),
    strangers: functions.filter((f) => pciSlot(f.address) !== slot),
    bridges: members.filter((m) => isBridgeRole(m.role) && m.unknown.length === 0),
  };
}

/** Every passthrough candidate with its group, in address order. */
export function findGpuGroups(scan: HostScan): GpuGroup[] {
  return scan.devices.filter((d) => isPassthroughCandidate(d, scan)).map((d) => gpuGroupOf(d, scan));
}

/** Short human label: `0000:02:00.1 SATA controller (ahci)`. */
export function describeFunction(f: PciFunction): string {
  const what = f.deviceName ?? f.className ?? (f.id ? `[${f.id}]` : "unknown device");
  return `${f.address} ${what}${f.driver ? ` (${f.driver})` : ""}`;
}
