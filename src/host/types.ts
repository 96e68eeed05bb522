/**
 * The typed report of one host scan. Every value that could not be read is `null`
 * and named in the device's `unknown` list or in the report's `issues`, so callers
 * can tell "absent" from "could not read".
 */

/** A PCI address in the kernel's canonical form: `dddd:bb:ss.f` (lower-case hex). */
export type PciAddress = string;

/** Broad role of a PCI function, derived from its class code. */
export type PciRole = "display" | "audio" | "usb" | "serial-bus" | "host-bridge" | "pci-bridge" | "other";

export interface PciFunction {
  address: PciAddress;
  /** `vvvv:dddd`, lower-case hex, as in `vfio-pci.ids` and KubeVirt's `pciVendorSelector`. */
  id: string | null;
  vendorId: string | null;
  deviceId: string | null;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  /** 24-bit class code as 6 hex digits, e.g. `030000` (VGA) or `040300` (HD audio). */
  classCode: string | null;
  role: PciRole;
  vendorName: string | null;
  deviceName: string | null;
  subsystemName: string | null;
  className: string | null;
  /** Driver bound right now (`driver` link), or null when none is bound. */
  driver: string | null;
  /** The `driver_override` value, or null when unset (`(null)`) or absent. */
  driverOverride: string | null;
  /** `boot_vga` = 1: the firmware drew its boot screen on this device. */
  bootVga: boolean | null;
  /** Reset methods the kernel can use (`reset_method`); [] means none. */
  resetMethods: string[] | null;
  numaNode: number | null;
  iommuGroup: number | null;
  /** Attributes that exist but could not be read. */
  unknown: string[];
}

export interface IommuGroup {
  id: number;
  /** Every member, sorted by address; bridges are listed but flagged by role. */
  members: PciAddress[];
  /** Members that are neither host bridges nor PCI(e) bridges/ports. */
  endpoints: PciAddress[];
  /** PCIe root ports, switch ports and host bridges in the group. */
  bridges: PciAddress[];
}

export interface KernelCmdline {
  raw: string;
  /** `intel_iommu=` value, e.g. `on`, or null when not given. */
  intelIommu: string | null;
  amdIommu: string | null;
  /** `iommu=` value, e.g. `pt`. */
  iommu: string | null;
  /** Ids from `vfio-pci.ids=` (and `vfio_pci.ids=`), lower-case. */
  vfioPciIds: string[];
  pcieAcsOverride: string | null;
  /** `video=efifb:off`, `initcall_blacklist=sysfb_init` and the like: framebuffers the user turned off. */
  framebufferOff: string[];
}

export type CpuVendor = "intel" | "amd" | "arm" | "unknown";

export interface CpuInfo {
  vendor: CpuVendor;
  /** The raw vendor string (`GenuineIntel`, `AuthenticAMD`, or arm's `CPU implementer`). */
  vendorRaw: string | null;
  modelName: string | null;
  /** vmx (Intel VT-x) or svm (AMD-V) seen in the flags; arm has no such flag. */
  virtualizationFlag: "vmx" | "svm" | null;
  logicalCpus: number;
}

export interface FramebufferInfo {
  /** Entries of `/proc/fb`, e.g. `{ index: 0, name: "EFI VGA" }`. */
  devices: { index: number; name: string }[];
  /** Generic firmware framebuffer drivers found (efifb, simplefb, vesafb, simpledrm). */
  firmwareDrivers: string[];
  /** PCI address whose memory the firmware framebuffer sits in (`/proc/iomem`), when known. */
  holder: PciAddress | null;
  /** Virtual consoles bound to a framebuffer (`/sys/class/vtconsole`). */
  boundConsoles: string[];
}

export interface EarlyBindingConfig {
  /** `options vfio-pci ids=…` found in modprobe.d, lower-case ids. */
  modprobeVfioIds: string[];
  /** `softdep <mod> pre: vfio-pci` lines: module names that wait for vfio-pci. */
  softdeps: string[];
  /** Blacklisted modules (`blacklist nouveau`). */
  blacklisted: string[];
  /** vfio modules listed in initramfs-tools' modules file. */
  initramfsModules: string[];
  /** vfio drivers forced by dracut (`force_drivers+=` / `add_drivers+=`). */
  dracutDrivers: string[];
  /** Files read, relative to the root, so the doctor can say where it looked. */
  filesRead: string[];
}

export interface HostBridge {
  name: string;
  ports: string[];
  /** Ports backed by a real NIC: the bridge's uplink. */
  physicalPorts: string[];
}

export interface ScanIssue {
  /** Path relative to the scanned root. */
  path: string;
  reason: string;
}

export interface HostScan {
  root: string;
  hostname: string | null;
  cpu: CpuInfo;
  /** MemTotal from `/proc/meminfo`, in bytes. */
  memoryBytes: number | null;
  cmdline: KernelCmdline | null;
  kvm: boolean;
  vfioPciLoaded: boolean;
  /** IOMMU units the kernel registered (`/sys/class/iommu`), e.g. `dmar0`, `ivhd0`, `smmu3.…`. */
  iommuUnits: string[];
  devices: PciFunction[];
  iommuGroups: IommuGroup[];
  framebuffer: FramebufferInfo;
  bridges: HostBridge[];
  earlyBinding: EarlyBindingConfig;
  /** Which pci.ids file named the devices, or null when none was found. */
  pciIdsSource: string | null;
  issues: ScanIssue[];
}
