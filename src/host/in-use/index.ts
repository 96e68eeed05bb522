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
  /** The PCI functions behind each GPU node a host driver made: `/dev/dri/card0`, `/dev/nvidia0`. */
  gpuNodes: Record<string, string[]>;
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
    gpuNodes: readGpuNodes(reader),
    issues,
  };
}

/** DRM nodes from `sys/class/drm`, and NVIDIA's `/dev/nvidiaN` from the minor its driver reports per GPU. */
function readGpuNodes(reader: HostReader): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const drm = reader.listDir("sys/class/drm");
  for (const name of drm.ok ? drm.value : []) {
    if (!/^(card|renderD)\d+$/.test(name)) continue;
    const pci = pciAncestors(reader, `sys/class/drm/${name}/device`);
    if (pci.length) out[`/dev/dri/${name}`] = pci;
  }
  const gpus = reader.listDir("proc/driver/nvidia/gpus");
  for (const address of gpus.ok ? gpus.value : []) {
    const info = reader.readText(`proc/driver/nvidia/gpus/${address}/information`);
    const minor = info.ok ? /^Device Minor:\s*(\d+)/m.exec(info.value)?.[1] : undefined;
    if (minor !== undefined) out[`/dev/nvidia${minor}`] = [address];
  }
  return out;
}
