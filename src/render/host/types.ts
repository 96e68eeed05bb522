/**
 * Input of the host renderers: the little they need to know about one host, so they stay
 * independent of the lab model (which maps onto this).
 */
export interface HostRenderInput {
  /** Host name, e.g. `tower1`. */
  name: string;
  cpuVendor: "intel" | "amd" | "arm";
  /** Every function of every passed-through GPU's IOMMU group. */
  gpuFunctions: HostGpuFunction[];
  bridge?: { name: string; uplink: string };
  /** The passed-through GPU is the boot display: switch the firmware framebuffer off. */
  bootGpu?: boolean;
}

export interface HostGpuFunction {
  address: string;
  /** `vvvv:dddd` */
  id: string;
  /** When known (from a scan); otherwise guessed from the function number. */
  role?: "display" | "audio" | "usb" | "serial-bus" | "other";
}

/** How a rendered file is meant to be installed on the host. */
export type InstallMode =
  /** Copy to `target`, replacing what is there. */
  | "replace"
  /** Append the lines to `target` (a list file such as initramfs-tools' modules). */
  | "append"
  /** Merge the section into `target` (a TOML or GRUB file the user already has). */
  | "merge"
  /** A script or snippet to run or paste. */
  | "run";

export interface HostFile {
  /** Unique path of the rendered file in the output folder. */
  path: string;
  /** Where it goes on the host. */
  target: string;
  install: InstallMode;
  /** One line: what it does and when to use it. */
  description: string;
  contents: string;
  /** Octal file mode when it matters (NetworkManager refuses world-readable keyfiles). */
  mode?: string;
}
