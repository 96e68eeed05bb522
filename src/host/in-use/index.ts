import type { HostReader } from "../reader.js";
import type { HostScan, ScanIssue } from "../types.js";
import { type BlockDevices, readBlockDevices } from "./block.js";
import { type NetInterfaceUse, readNetInterfaces } from "./net.js";
import { pciAncestors } from "./paths.js";
import { readVfioOpen, type VfioOpen } from "./vfio-open.js";

/**
 * What the host is using right now that a driver change would take away: disks with mounted
 * filesystems or swap, network interfaces that are up, framebuffers (and so the console), and
 * VFIO nodes a running VM has open. Read once, before a bind or unbind is planned.
 */
export interface HostUse {
  block: BlockDevices;
  interfaces: NetInterfaceUse[];
  /** `sys/class/graphics/fb*` on a PCI function (a DRM driver's fbdev, which fbcon draws on). */
  framebuffers: { name: string; pci: string[] }[];
  vfio: VfioOpen;
  /** Per-device VFIO nodes (`vfio-dev/vfio0`) of each function, for the iommufd interface. */
  vfioDevices: Record<string, string[]>;
  issues: ScanIssue[];
}

export function readHostUse(reader: HostReader, scan: HostScan): HostUse {
  const issues: ScanIssue[] = [];
  const block = readBlockDevices(reader, issues);
  const graphics = reader.listDir("sys/class/graphics");
  const framebuffers = (graphics.ok ? graphics.value : [])
    .filter((n) => /^fb\d+$/.test(n))
    .map((name) => ({ name, pci: pciAncestors(reader, `sys/class/graphics/${name}/device`) }))
    .filter((f) => f.pci.length > 0);
  const vfioDevices: Record<string, string[]> = {};
  for (const d of scan.devices) {
    const list = reader.listDir(`sys/bus/pci/devices/${d.address}/vfio-dev`);
    if (list.ok && list.value.length) vfioDevices[d.address] = list.value;
  }
  return {
    block,
    interfaces: readNetInterfaces(reader),
    framebuffers,
    vfio: readVfioOpen(reader),
    vfioDevices,
    issues,
  };
}
