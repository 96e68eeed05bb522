import { competingModules } from "../../host/drivers.js";
import { vfioIds } from "./kernel-args.js";
import type { HostFile, HostGpuFunction, HostRenderInput } from "./types.js";

/** The vfio modules the initramfs must carry so vfio-pci is there before any GPU driver. */
export const VFIO_MODULES = ["vfio", "vfio_iommu_type1", "vfio_pci"];

/** Function 0 of a GPU is the display; the others are, almost always, its HDMI audio and USB-C parts. */
function roleOf(f: HostGpuFunction): string {
  if (f.role) return f.role;
  return f.address.endsWith(".0") ? "display" : "audio";
}

/** Host modules that would claim these functions first, so each needs a softdep on vfio-pci. */
export function softdepModules(input: HostRenderInput): string[] {
  const mods = input.gpuFunctions.flatMap((f) => competingModules(f.id.slice(0, 4).toLowerCase(), roleOf(f)));
  return [...new Set(mods)];
}

export function renderModprobe(input: HostRenderInput): HostFile {
  const ids = vfioIds(input);
  const lines = [
    `# gpuvm: ${input.name}'s GPU functions go to vfio-pci before their host drivers load.`,
    `options vfio-pci ids=${ids.join(",")}`,
    ...softdepModules(input).map((m) => `softdep ${m} pre: vfio-pci`),
  ];
  return {
    path: "etc/modprobe.d/vfio.conf",
    target: "/etc/modprobe.d/vfio.conf",
    install: "replace",
    description: "vfio-pci ids and softdeps; rebuild the initramfs afterwards",
    contents: `${lines.join("\n")}\n`,
  };
}

/** Debian/Ubuntu initramfs-tools: one module per line, appended to the existing list. */
export function renderInitramfsTools(input: HostRenderInput): HostFile {
  return {
    path: "etc/initramfs-tools/modules",
    target: "/etc/initramfs-tools/modules",
    install: "append",
    description: "Debian/Ubuntu: append to the modules list, then update-initramfs -u",
    contents: `# gpuvm: vfio for ${input.name}, loaded early so it claims the GPU first\n${VFIO_MODULES.join("\n")}\n`,
  };
}

/** dracut (Fedora, RHEL, openSUSE): force the vfio drivers into the initramfs. */
export function renderDracut(input: HostRenderInput): HostFile {
  return {
    path: "etc/dracut.conf.d/vfio.conf",
    target: "/etc/dracut.conf.d/vfio.conf",
    install: "replace",
    description: "dracut: vfio drivers in the initramfs, then dracut -f",
    contents: `# gpuvm: vfio for ${input.name}, loaded early so it claims the GPU first\nforce_drivers+=" ${VFIO_MODULES.join(" ")} "\n`,
  };
}
