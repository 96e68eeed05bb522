// The normalised Lab: every reference resolved, every size in cores and bytes, every default applied.
// Renderers and lint rules read only this; `path` fields point back into the lab file for messages.
import type { MODES } from "../config/modes.js";
import type { LabPath, LabSource } from "../config/source.js";

/** The modes a VM can have; the list itself is the lab file's vocabulary (config/modes.ts). */
export type ModeName = (typeof MODES)[number];
export type DiskBus = "virtio" | "sata" | "scsi";
export type OsKind = "linux" | "windows" | "windows11";

export interface Lab {
  name: string;
  source: LabSource;
  cluster: {
    target: "kubevirt" | "harvester" | "capk" | "host" | "router";
    namespace: string;
    kubevirtVersion: string;
    cdiVersion: string;
    kubevirtNamespace: string;
    minSystemReplicas: number;
    /** Fraction (0.9) of a host one mode may take before lint warns. */
    maxHostShare: number;
    harvester: { userName: string };
  };
  hosts: Host[];
  storage: StorageClassSpec[];
  /** Where `gpuvm iso upload` puts ISOs: cluster.isoStorage, or the storage keyed `iso`. */
  isoStorage?: StorageClassSpec;
  networks: NetworkSpec[];
  priorities: PrioritySpec[];
  vms: Vm[];
}

export interface Host {
  name: string;
  cpu: number;
  memoryBytes: number;
  cpuVendor?: "intel" | "amd" | "arm";
  gpus: Gpu[];
  bridge?: { name: string; uplink: string };
  path: LabPath;
}

export interface Gpu {
  key: string;
  host: string;
  iommuGroup?: number;
  functions: GpuFunction[];
  path: LabPath;
}

export interface GpuFunction {
  address: string;
  /** vendor:device, lower case. */
  id: string;
  resource: string;
  /** The lab gave `resource` (false: `resource` is gpuvm's default, not what a device plugin may call it). */
  resourceDeclared: boolean;
  /** pci.ids names, when the lab gives them (Harvester derives resource names from these). */
  vendorName?: string;
  product?: string;
  attach: boolean;
  /** Device name inside the VM spec. */
  name: string;
  path: LabPath;
}

export interface StorageClassSpec {
  key: string;
  name: string;
  provisioner: string;
  replicas: number;
  disk?: string;
  node?: string;
  binding: "Immediate" | "WaitForFirstConsumer";
  reclaim: "Retain" | "Delete";
  volumeMode: "Filesystem" | "Block";
  forceBind: boolean;
  existing: boolean;
  path: LabPath;
}

export interface NetworkSpec {
  key: string;
  name: string;
  bridge: string;
  binding: "managedTap" | "bridge";
  subnet?: string;
  gateway?: string;
  range?: { start: string; end: string };
  domain?: string;
  vlan?: number;
  path: LabPath;
}

export interface PrioritySpec {
  name: string;
  value: number;
  preemption: "PreemptLowerPriority" | "Never";
  description?: string;
  /** Declared under `priorities` (false: only named by a mode, rendered with defaults). */
  declared: boolean;
}

export type DiskSource = { blank: Record<string, never> } | { http: string } | { registry: string };

export interface Disk {
  key: string;
  /** PVC or DataVolume name: <vm>-<disk>. */
  claimName: string;
  size: string;
  storage: StorageClassSpec;
  bus?: DiskBus;
  boot: boolean;
  source?: DiskSource;
  path: LabPath;
}

/** An ephemeral disk from a container image: no PVC, nothing to keep (CAPK's node images). */
export interface ContainerDisk {
  key: string;
  image: string;
  bus?: DiskBus;
  boot: boolean;
  path: LabPath;
}

export interface Nic {
  network: NetworkSpec;
  /** Interface and network name inside the VM spec. */
  name: string;
  mac?: string;
  ip?: string;
  model?: "virtio" | "e1000e" | "e1000";
  path: LabPath;
}

export interface Mode {
  name: ModeName;
  vm: string;
  /** The VirtualMachine's name: <vm>-<mode>. */
  objectName: string;
  host?: Host;
  affinity: "required" | "preferred" | "none";
  cores: number;
  memoryBytes: number;
  /** Memory as a Kubernetes quantity ("26Gi"). */
  memory: string;
  gpus: Gpu[];
  priority?: string;
  /** Bus for disks without a fixed one. */
  diskBus: DiskBus;
  path: LabPath;
}

export interface Vm {
  name: string;
  os: OsKind;
  windows: boolean;
  description?: string;
  firmware: { efi: boolean; secureBoot: boolean; tpm: boolean };
  graphics: { vnc: boolean; video?: string };
  hyperv: Record<string, boolean | number | string>;
  disks: Disk[];
  containerDisks: ContainerDisk[];
  nics: Nic[];
  modes: Mode[];
  defaultMode: ModeName;
  lintIgnore: Record<string, string>;
  /** Declared Cluster API KubeVirt worker pool. */
  capk?: { cluster: string; pool: string };
  path: LabPath;
}
