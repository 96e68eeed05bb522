/** Knowledge about the drivers that compete with vfio-pci for a GPU. */

export const VFIO_DRIVER = "vfio-pci";

/** Host drivers of discrete GPUs and their audio functions, which must not claim a passed-through card. */
export const GPU_HOST_DRIVERS = [
  "nvidia",
  "nouveau",
  "amdgpu",
  "radeon",
  "snd_hda_intel",
  "xhci_hcd",
  "i2c_nvidia_gpu",
];

/** Drivers of BMC and on-board display chips: those displays stay with the host. */
export const HOST_DISPLAY_DRIVERS = [
  "ast",
  "mgag200",
  "matroxfb",
  "cirrus",
  "bochs-drm",
  "bochs",
  "virtio-pci",
  "qxl",
  "i915",
  "xe",
];

/** Vendors whose display devices are usually meant for passthrough. */
export const DISCRETE_GPU_VENDORS = ["10de", "1002"];

/**
 * Modules that would grab a function of this vendor/role at boot, and so need
 * `softdep <module> pre: vfio-pci` to let vfio-pci claim it first.
 */
export function competingModules(vendorId: string | null, role: string): string[] {
  if (role === "audio") return ["snd_hda_intel"];
  if (role === "usb") return ["xhci_pci"];
  if (role === "serial-bus") return vendorId === "10de" ? ["i2c_nvidia_gpu"] : [];
  if (vendorId === "10de") return ["nvidia", "nouveau"];
  if (vendorId === "1002") return ["amdgpu", "radeon"];
  return [];
}
