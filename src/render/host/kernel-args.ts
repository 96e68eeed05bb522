import type { HostRenderInput } from "./types.js";

/** vfio-pci ids for the host's GPU functions, deduplicated in first-seen order. */
export function vfioIds(input: HostRenderInput): string[] {
  return [...new Set(input.gpuFunctions.map((f) => f.id.toLowerCase()))];
}

/** The kernel arguments that turn the IOMMU on and hand the GPUs to vfio-pci at boot. */
export function kernelArguments(input: HostRenderInput): string[] {
  const args: string[] = [];
  if (input.cpuVendor === "intel") args.push("intel_iommu=on", "iommu=pt");
  else if (input.cpuVendor === "amd") args.push("amd_iommu=on", "iommu=pt");
  // arm64 SMMUs are on by default; passthrough mode keeps host DMA untranslated like iommu=pt.
  else args.push("iommu.passthrough=1");
  const ids = vfioIds(input);
  if (ids.length) args.push(`vfio-pci.ids=${ids.join(",")}`);
  if (input.bootGpu) args.push("video=efifb:off");
  return args;
}
