import { competingModules, VFIO_DRIVER } from "../drivers.js";
import { describeFunction, type GpuGroup } from "../gpus.js";
import type { HostScan } from "../types.js";
import type { DoctorCheck } from "./types.js";

const ACS_RISK =
  "last resort: the kernel argument pcie_acs_override=downstream,multifunction (only on kernels with the ACS override patch, e.g. linux-zen or Proxmox) splits the group, but then the VM could reach those devices' memory by DMA: isolation is lost";

export function checkGroup(g: GpuGroup): DoctorCheck {
  const subject = g.gpu.address;
  if (!g.group) {
    return {
      id: "gpu-group",
      subject,
      verdict: "fail",
      detail: "no IOMMU group: passthrough needs the IOMMU on",
      fix: "turn the IOMMU on (see the iommu check)",
    };
  }
  const own = [g.gpu, ...g.sameCard].map((f) => f.address).join(", ");
  const bridges = g.bridges.length
    ? `; bridges ${g.bridges.map((b) => b.address).join(", ")} stay with the host`
    : "";
  if (g.strangers.length === 0) {
    return {
      id: "gpu-group",
      subject,
      verdict: "ok",
      detail: `group ${g.group.id}: ${own} go to vfio-pci together${bridges}`,
    };
  }
  return {
    id: "gpu-group",
    subject,
    verdict: "fail",
    detail: `group ${g.group.id} also holds ${g.strangers.map(describeFunction).join(", ")}: a group is passed as a whole, so the VM would take them from the host (vfio refuses a group that is only partly bound)`,
    fix: `move the card to a slot wired to the CPU (usually the top x16 slot) or look for an ACS / IOMMU-grouping option in the firmware; ${ACS_RISK}`,
  };
}

export function checkDrivers(g: GpuGroup, scan: HostScan): DoctorCheck {
  const subject = g.gpu.address;
  const own = [g.gpu, ...g.sameCard];
  const held = own.filter((f) => f.driver !== VFIO_DRIVER);
  if (held.length === 0) {
    return {
      id: "gpu-driver",
      subject,
      verdict: "ok",
      detail: `${own.map((f) => f.address).join(", ")} on vfio-pci`,
    };
  }
  const list = held.map((f) => `${f.address} on ${f.driver ?? "no driver"}`).join(", ");
  const pendingOverride = held.filter((f) => f.driverOverride === VFIO_DRIVER).length;
  const note = pendingOverride ? ` (driver_override is already vfio-pci on ${pendingOverride})` : "";
  return {
    id: "gpu-driver",
    subject,
    verdict: "fail",
    detail: `not on vfio-pci: ${list}${note}${scan.vfioPciLoaded ? "" : "; vfio-pci is not loaded"}`,
    fix: `gpuvm host bind ${g.gpu.address} --apply for now, and install the host files (gpuvm render --target host) so vfio-pci claims it at boot`,
  };
}

/** The firmware framebuffer (efifb/simplefb/vesafb) sits on the boot GPU until it is switched off. */
export function checkFramebuffer(g: GpuGroup, scan: HostScan): DoctorCheck {
  const subject = g.gpu.address;
  const fb = scan.framebuffer;
  const onThisGpu = fb.holder !== null ? fb.holder === g.gpu.address : g.gpu.bootVga === true;
  const firmwareFb = onThisGpu ? fb.firmwareDrivers : [];
  const offByArgs = scan.cmdline?.framebufferOff ?? [];
  if (firmwareFb.length > 0 && offByArgs.length === 0) {
    return {
      id: "gpu-framebuffer",
      subject,
      verdict: "fail",
      detail: `${firmwareFb.join(", ")} holds this boot GPU's memory: vfio-pci can bind, but the guest sees a garbled BAR or fails to start (BAR 1 busy)`,
      fix: "add the kernel argument video=efifb:off (kernels ≥ 5.15 with simpledrm: initcall_blacklist=sysfb_init), or make another GPU the boot display in the firmware",
    };
  }
  if (g.gpu.bootVga && fb.boundConsoles.length > 0 && g.gpu.driver !== VFIO_DRIVER) {
    return {
      id: "gpu-framebuffer",
      subject,
      verdict: "warn",
      detail:
        "this is the boot GPU and the host console is drawn on it: binding it to vfio-pci takes the host's screen away",
      fix: "use another GPU or the serial console for the host; gpuvm host bind refuses this GPU unless --force",
    };
  }
  return {
    id: "gpu-framebuffer",
    subject,
    verdict: "ok",
    detail: g.gpu.bootVga ? "boot GPU, no firmware framebuffer on it" : "not the boot GPU",
  };
}

export function checkReset(g: GpuGroup): DoctorCheck {
  const subject = g.gpu.address;
  const methods = g.gpu.resetMethods;
  if (methods === null) {
    return {
      id: "gpu-reset",
      subject,
      verdict: "warn",
      detail: "reset capability unknown (reset_method could not be read)",
    };
  }
  if (methods.length === 0) {
    const amd =
      g.gpu.vendorId === "1002" ? "; for AMD Polaris/Vega/Navi cards the vendor-reset module adds one" : "";
    return {
      id: "gpu-reset",
      subject,
      verdict: "warn",
      detail:
        "the kernel has no way to reset this GPU (no FLR, no bus reset): the known reset bug, a VM reboot or a second start can leave the GPU hung until the host reboots",
      fix: `avoid restarting the VM without rebooting the host${amd}`,
    };
  }
  if (methods.includes("flr") || methods.includes("unknown")) {
    return { id: "gpu-reset", subject, verdict: "ok", detail: `reset: ${methods.join(", ")}` };
  }
  return {
    id: "gpu-reset",
    subject,
    verdict: "ok",
    detail: `reset: ${methods.join(", ")} (no FLR: a bus reset resets every function behind the same bridge together)`,
  };
}

/** Will vfio-pci still own the group after a reboot? */
export function checkEarlyBinding(g: GpuGroup, scan: HostScan): DoctorCheck {
  const subject = g.gpu.address;
  const eb = scan.earlyBinding;
  // Only the card's own functions: binding a stranger's id (a SATA controller, a NIC) by id would take it from the host.
  const own = [g.gpu, ...g.sameCard];
  const ids = [...new Set(own.map((f) => f.id).filter((x): x is string => x !== null))];
  const cmdlineIds = scan.cmdline?.vfioPciIds ?? [];
  const known = new Set([...cmdlineIds, ...eb.modprobeVfioIds]);
  const missing = ids.filter((id) => !known.has(id));
  const idList = ids.join(",");
  const where = eb.filesRead.length ? ` (read ${eb.filesRead.join(", ")})` : "";
  if (missing.length > 0) {
    return {
      id: "gpu-early-binding",
      subject,
      verdict: "warn",
      detail: `ids ${missing.join(", ")} are not in vfio-pci.ids or options vfio-pci ids=…${where}: after a reboot the host driver takes the GPU again`,
      fix: `add vfio-pci.ids=${idList} to the kernel arguments, or options vfio-pci ids=${idList} in /etc/modprobe.d/vfio.conf with softdep lines (gpuvm render --target host writes both)`,
    };
  }
  if (cmdlineIds.length > 0 && ids.every((id) => cmdlineIds.includes(id))) {
    return {
      id: "gpu-early-binding",
      subject,
      verdict: "ok",
      detail: `vfio-pci.ids=${idList} on the kernel command line`,
    };
  }
  // Only modprobe.d names the ids: the host driver must wait for vfio-pci, and vfio-pci must be in the initramfs.
  const needed = [...new Set(own.flatMap((f) => competingModules(f.vendorId, f.role)))];
  const noSoftdep = needed.filter((m) => !eb.softdeps.includes(m) && !eb.blacklisted.includes(m));
  const inInitramfs = [...eb.initramfsModules, ...eb.dracutDrivers].some(
    (m) => m === "vfio_pci" || m === "vfio-pci",
  );
  const gaps: string[] = [];
  if (noSoftdep.length) gaps.push(`no softdep ${noSoftdep.join(", ")} pre: vfio-pci`);
  if (!inInitramfs) gaps.push("vfio_pci is not in the initramfs");
  if (gaps.length) {
    return {
      id: "gpu-early-binding",
      subject,
      verdict: "warn",
      detail: `options vfio-pci ids=${idList} is set, but ${gaps.join(" and ")}: the host driver may win the race at boot`,
      fix: `add ${noSoftdep.map((m) => `softdep ${m} pre: vfio-pci`).join("; ") || "the softdep lines"} to /etc/modprobe.d/vfio.conf and vfio_pci to the initramfs, then rebuild it (update-initramfs -u or dracut -f)`,
    };
  }
  return {
    id: "gpu-early-binding",
    subject,
    verdict: "ok",
    detail: `options vfio-pci ids=${idList} with softdeps and initramfs`,
  };
}
