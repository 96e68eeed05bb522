import type { HostUse } from "../in-use/index.js";
import type { HostScan, PciFunction } from "../types.js";

/** An open VFIO or driver node, as `/dev/vfio/13 … process 4242 (qemu-kvm)`. */
function describeOpener(o: { path: string; pid: number; comm: string | null }, verb: string): string {
  return `${o.path}${verb} process ${o.pid}${o.comm ? ` (${o.comm})` : ""}`;
}

/** What a function is, in the words a person knows it by: `SATA controller`, `VGA compatible controller`. */
export function kindOf(f: PciFunction): string {
  return f.className ?? f.deviceName ?? (f.classCode ? `class 0x${f.classCode}` : "unknown device");
}

/** kindOf with the class code beside it, unless the kind already is the class code. */
export function kindWithClass(f: PciFunction): string {
  const kind = kindOf(f);
  return f.classCode && kind !== `class 0x${f.classCode}` ? `${kind}, class 0x${f.classCode}` : kind;
}

export interface Use {
  /** `unbinding 0000:02:00.1 (SATA controller) would take away /dev/sda1, mounted at /`. */
  message: string;
  /** Only the console can be given up knowingly (--force); a disk, a network or a VM cannot. */
  overridable: boolean;
}

/** The VFIO nodes of `f` that some process has open, as `/dev/vfio/13 is open in process 4242 (qemu-kvm)`. */
export function vfioHolders(f: PciFunction, use: HostUse): string[] {
  const nodes = new Set<string>();
  if (f.iommuGroup !== null) nodes.add(`/dev/vfio/${f.iommuGroup}`);
  for (const d of use.vfioDevices[f.address] ?? []) nodes.add(`/dev/vfio/devices/${d}`);
  return use.vfio.openers.filter((o) => nodes.has(o.path)).map((o) => describeOpener(o, " is open in"));
}

/**
 * Everything the host would lose if `f` left its driver: mounted disks and swap behind it,
 * interfaces that are up, a process using it through its host driver's node (a desktop
 * session, a CUDA job: the driver's unbind would wait for them or pull the device from under
 * them), a console drawn on its framebuffer. A VM holding it is checked
 * apart (vfioHolders), as it stops unbind as well as bind.
 */
export function usesOf(f: PciFunction, scan: HostScan, use: HostUse): Use[] {
  const lead = `unbinding ${f.address} (${kindOf(f)}) would take away`;
  const out: Use[] = [];
  for (const b of use.block.inUse) {
    if (!b.pci.includes(f.address)) continue;
    const on = b.on.length ? ` (on ${b.on.join(", ")})` : "";
    out.push({ message: `${lead} ${b.device}${on}, ${b.uses.join(" and ")}`, overridable: false });
  }
  if (!use.block.mountsKnown) {
    const disks = use.block.behind.filter((b) => b.pci.includes(f.address)).map((b) => `/dev/${b.name}`);
    if (disks.length) {
      out.push({
        message: `${f.address} (${kindOf(f)}) has ${disks.join(", ")} behind it, and no mount table (proc/self/mountinfo, proc/mounts) could be read to tell whether the host uses them`,
        overridable: false,
      });
    }
  }
  for (const i of use.interfaces) {
    if (!i.pci.includes(f.address) || i.up === false) continue;
    const state = i.up === null ? "whose state could not be read" : "which is up";
    out.push({ message: `${lead} network interface ${i.name}, ${state}`, overridable: false });
  }
  for (const o of use.vfio.openers) {
    if (!use.gpuNodes[o.path]?.includes(f.address)) continue;
    out.push({
      message: `${lead} ${describeOpener(o, ", open in")}`,
      overridable: false,
    });
  }
  const consoles = scan.framebuffer.boundConsoles;
  for (const fb of use.framebuffers) {
    if (!fb.pci.includes(f.address) || consoles.length === 0) continue;
    out.push({
      message: `${lead} the host console (${consoles.join(", ")}) drawn on its framebuffer ${fb.name}`,
      overridable: true,
    });
  }
  return out;
}
