// The lab file, defined once. Everything else (types, JSON Schema for editors, error messages) derives from it.
import { z } from "zod";
import { MODES } from "./modes.js";
import {
  DISK_SIZE,
  HOST_MEMORY,
  MAX_CPUS,
  PERCENT_PATTERN,
  parsePercent,
  QUANTITY_PATTERN,
  type QuantityBounds,
  quantityProblem,
  VM_MEMORY,
} from "./quantity.js";

/** Names that become Kubernetes object names or DNS labels (RFC 1123 label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = z
  .string()
  .max(63, { error: "must be at most 63 characters (a DNS label)" })
  .regex(DNS_LABEL, {
    error:
      "must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
  });

/**
 * Linux interface names (bridges, uplinks): the kernel takes 1 to 15 bytes without '/', ':' or
 * whitespace, and never "." or "..". gpuvm also keeps to letters, digits, '_', '.' and '-', because
 * the name becomes a file name (<bridge>.nmconnection) and a word in a systemd unit's shell line.
 */
const interfaceName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,15}$/, {
    error: "must be a Linux interface name: 1 to 15 letters, digits, '_', '.' or '-'",
  })
  .superRefine((name, ctx) => {
    if (name === "." || name === "..")
      ctx.addIssue({ code: "custom", message: `must be a Linux interface name, found "${name}"` });
  });

const quantity = z
  .string()
  .regex(QUANTITY_PATTERN, { error: 'must be a quantity such as "64Gi", "512Mi" or "2Ti"' });
const percent = z.string().regex(PERCENT_PATTERN, { error: 'must be a percentage such as "80%"' });

/** A check that a quantity (when the value is one) lies within `bounds`. */
function withinBounds(bounds: QuantityBounds) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    if (typeof value !== "string" || !QUANTITY_PATTERN.test(value)) return;
    const problem = quantityProblem(value, bounds);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  };
}

const cpuCount = z.int().positive().max(MAX_CPUS);
const cpuRequest = z
  .union([z.int().positive(), percent], {
    error: 'must be a whole number of cores (2) or a share of the host ("80%")',
  })
  .superRefine((value, ctx) => {
    // After the union, so that the message names the bound rather than the accepted forms.
    if (typeof value === "number" && value > MAX_CPUS)
      ctx.addIssue({ code: "custom", message: `must be at most ${MAX_CPUS} cores, found ${value}` });
  })
  .describe('Cores: a whole number, or a share of the host\'s CPUs ("80%").');
const memoryRequest = z
  .union([quantity, percent], {
    error: 'must be a quantity ("4Gi") or a share of the host\'s memory ("80%")',
  })
  .superRefine(withinBounds(VM_MEMORY))
  .describe('Memory: a quantity ("4Gi", at least 64Mi) or a share of the host\'s memory ("80%").');

const pciAddress = z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, {
  error: 'must be a full PCI address in lower case, such as "0000:09:00.0"',
});
const pciId = z
  .string()
  .regex(/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/, { error: 'must be vendor:device in hex, such as "10de:2206"' });
const resourceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
    error: 'must be a resource name such as "nvidia.com/rtx3080"',
  });
const version = z.string().regex(/^v?\d+\.\d+(\.\d+)?$/, { error: 'must be a version such as "v1.6.3"' });
const mac = z.string().describe('MAC address, such as "8a:d3:14:ca:21:70"');
const ipv4 = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, { error: "must be an IPv4 address" });
const cidr = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, {
  error: 'must be an IPv4 CIDR such as "192.168.26.0/24"',
});

export const TARGETS = ["kubevirt", "harvester", "capk", "host", "router"] as const;

const GpuFunction = z
  .strictObject({
    address: pciAddress.describe("PCI address of this function on the host."),
    id: pciId.describe("vendor:device of this function."),
    resource: resourceName
      .optional()
      .describe("Resource name the device plugin advertises; defaults to one derived from the GPU key."),
    attach: z
      .boolean()
      .default(true)
      .describe("Pass this function to the VM (false: claimed for the IOMMU group but not attached)."),
    name: dnsLabel
      .optional()
      .describe("Device name inside the VM spec; defaults to <gpu>-<function number>."),
    vendor: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Vendor name as pci.ids (lspci) gives it, such as "NVIDIA Corporation"; known for NVIDIA, AMD and Intel.',
      ),
    product: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Device name as pci.ids (lspci) gives it, such as "GA102 [GeForce RTX 3090]"; Harvester derives its resource name from it.',
      ),
  })
  .describe("One PCI function of a GPU.");

const Gpu = z.strictObject({
  iommuGroup: z.int().nonnegative().optional().describe("IOMMU group number on the host, if known."),
  functions: z
    .array(GpuFunction)
    .min(1, { error: "must list at least one function (the VGA/3D function)" })
    .describe("Every function of the GPU's IOMMU group."),
});

const Host = z.strictObject({
  capacity: z
    .strictObject({
      cpu: cpuCount.describe(`Logical CPUs of the host (at most ${MAX_CPUS}).`),
      memory: quantity
        .superRefine(withinBounds(HOST_MEMORY))
        .describe('Memory of the host, such as "32Gi" (64Mi to 64Ti).'),
    })
    .describe("What the host has; percentages in modes resolve against it."),
  cpuVendor: z.enum(["intel", "amd", "arm"]).optional().describe("CPU vendor (for kernel arguments)."),
  gpus: z.record(dnsLabel, Gpu).default({}).describe("GPUs on this host, by a name of your choice."),
  bridge: z
    .strictObject({
      name: interfaceName.describe("Linux bridge name, such as local-br0."),
      uplink: interfaceName.describe("Physical interface enslaved to the bridge, such as enp9s0."),
    })
    .optional(),
});

const StorageClass = z.strictObject({
  name: dnsLabel.optional().describe("StorageClass name in the cluster; defaults to the key."),
  provisioner: z.string().default("driver.longhorn.io"),
  replicas: z.int().positive().default(1).describe("Longhorn numberOfReplicas."),
  disk: z.string().optional().describe("Longhorn diskSelector."),
  node: z.string().optional().describe("Longhorn nodeSelector."),
  binding: z.enum(["Immediate", "WaitForFirstConsumer"]).default("Immediate"),
  reclaim: z.enum(["Retain", "Delete"]).default("Retain"),
  volumeMode: z.enum(["Filesystem", "Block"]).default("Filesystem"),
  forceBind: z
    .boolean()
    .default(false)
    .describe("Ask CDI to bind volumes at once even when the class waits for a consumer."),
  existing: z.boolean().default(false).describe("The class exists already: use it, do not render it."),
});

const Network = z.strictObject({
  name: dnsLabel.optional().describe("NetworkAttachmentDefinition name; defaults to the key."),
  bridge: interfaceName.describe("Host bridge the bridge CNI plugs into."),
  binding: z.enum(["managedTap", "bridge"]).default("managedTap"),
  subnet: cidr.optional(),
  gateway: ipv4.optional(),
  range: z
    .strictObject({ start: ipv4, end: ipv4 })
    .optional()
    .describe("host-local IPAM range for tracking IPs."),
  domain: z.string().optional().describe("DNS domain of the VMs on this network, such as vms.lab.example."),
  vlan: z.int().min(1).max(4094).optional(),
});

const Disk = z
  .strictObject({
    size: quantity
      .superRefine(withinBounds(DISK_SIZE))
      .optional()
      .describe("Size of the volume, 1Mi to 1Pi (not for a containerDisk)."),
    storage: z.string().optional().describe("Key of an entry under storage (not for a containerDisk)."),
    bus: z
      .enum(["virtio", "sata", "scsi"])
      .optional()
      .describe("Fixed bus; by default chosen per OS and mode."),
    boot: z
      .boolean()
      .optional()
      .describe("The system disk (boot order 1); defaults to the disk named system, else the first."),
    source: z
      .union([
        z.strictObject({ blank: z.strictObject({}) }),
        z.strictObject({ http: z.url() }),
        z.strictObject({ registry: z.string().min(1) }),
      ])
      .optional()
      .describe("Makes the disk a CDI DataVolume filled from this source; without it a plain PVC."),
    containerDisk: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Container image holding the disk (such as quay.io/capk/ubuntu-2004-container-disk:v1.22.0): an ephemeral disk, no volume.",
      ),
  })
  .superRefine((disk, ctx) => {
    // One object with a check rather than a union: unknown keys keep their "did you mean" messages.
    if (disk.containerDisk !== undefined) {
      for (const key of ["size", "storage", "source"] as const) {
        if (disk[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "a containerDisk disk has no volume: leave out size, storage and source",
          });
      }
      return;
    }
    if (disk.size === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["size"],
        message: 'is required (a quantity such as "64Gi"), unless the disk is a containerDisk',
      });
    if (disk.storage === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["storage"],
        message: "is required (a key under storage), unless the disk is a containerDisk",
      });
  });

const Nic = z.strictObject({
  mac: mac.optional(),
  ip: ipv4.optional().describe("Address the router hands out for the MAC (static lease)."),
  model: z.enum(["virtio", "e1000e", "e1000"]).optional(),
});

const ModeBase = {
  host: z.string().optional().describe("Host this mode runs on."),
  cpu: cpuRequest,
  memory: memoryRequest,
  priority: dnsLabel.optional().describe("PriorityClass name."),
  diskBus: z.enum(["virtio", "sata", "scsi"]).optional().describe("Bus of every disk in this mode."),
};

const LiveMode = z.strictObject({
  ...ModeBase,
  gpus: z.array(z.string()).default([]).describe("GPUs (keys on the mode's host) passed to the VM."),
});
const MaintenanceMode = z.strictObject({
  ...ModeBase,
  gpus: z.array(z.string()).default([]).describe("Usually none: maintenance runs without the GPU."),
});

const enlightenment = z.boolean();
const Hyperv = z
  .strictObject({
    relaxed: enlightenment,
    vapic: enlightenment,
    spinlocks: z
      .union(
        [
          z.boolean(),
          z
            .int()
            .min(4096)
            .max(2 ** 32 - 1),
        ],
        {
          // KubeVirt keeps the count in 32 bits.
          error: "must be true, false or a retry count from 4096 to 4294967295",
        },
      )
      .describe("true (4096 retries) or a retry count"),
    vpindex: enlightenment,
    runtime: enlightenment,
    synic: enlightenment,
    synictimer: enlightenment,
    reset: enlightenment,
    vendorid: z
      .union([z.literal(false), z.string().min(1).max(12)], {
        error: "must be a vendor id of 1 to 12 characters",
      })
      .describe("Hyper-V vendor id the guest sees (1 to 12 characters)"),
    frequencies: enlightenment,
    reenlightenment: enlightenment,
    tlbflush: enlightenment,
    ipi: enlightenment,
    evmcs: enlightenment,
  })
  .partial();

const Vm = z.strictObject({
  os: z.enum(["linux", "windows", "windows11"]).default("linux"),
  description: z.string().optional(),
  firmware: z
    .strictObject({
      efi: z.boolean().optional(),
      secureBoot: z.boolean().optional(),
      tpm: z.boolean().optional(),
    })
    .optional()
    .describe("Defaults: EFI on; Secure Boot and a persistent TPM for windows11."),
  graphics: z
    .strictObject({
      vnc: z.boolean().default(true).describe("Attach the default graphics device (VNC)."),
      video: z.enum(["vga", "virtio", "bochs", "ramfb", "cirrus"]).optional(),
    })
    .optional(),
  hyperv: Hyperv.optional().describe(
    "Hyper-V enlightenments; Windows defaults to relaxed, vapic, spinlocks 4096.",
  ),
  disks: z.record(dnsLabel, Disk).refine((disks) => Object.keys(disks).length > 0, {
    error: "a VM needs at least one disk",
  }),
  nics: z.record(z.string(), Nic).default({}).describe("NICs by network key."),
  modes: z
    .strictObject({ live: LiveMode.optional(), maintenance: MaintenanceMode.optional() })
    .refine((modes) => modes.live !== undefined || modes.maintenance !== undefined, {
      error: "a VM needs at least one mode (live or maintenance)",
    }),
  defaultMode: z.enum(MODES).optional().describe("Mode `gpuvm start` uses when none is given."),
  capk: z
    .strictObject({
      cluster: dnsLabel.describe("Cluster API cluster name (CLUSTER_NAME of clusterctl generate cluster)."),
      pool: dnsLabel.default("md-0").describe("Worker pool (MachineDeployment suffix), such as md-0."),
    })
    .optional()
    .describe(
      "Makes this VM a Cluster API KubeVirt worker pool (target capk); a VM named <cluster>-md-<n> is one without this.",
    ),
  lint: z
    .strictObject({ ignore: z.record(z.string(), z.string().min(1)).default({}) })
    .optional()
    .describe(
      'Silence lint rules for this VM, each with a reason: { ignore: { GV004: "drivers installed" } }.',
    ),
});

const Priority = z.strictObject({
  // Kubernetes reserves values above one billion for its system classes and refuses them here.
  value: z
    .int()
    .min(-(2 ** 31))
    .max(1_000_000_000)
    .default(1000),
  preemption: z.enum(["PreemptLowerPriority", "Never"]).default("PreemptLowerPriority"),
  description: z.string().optional(),
});

export const LabFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal("gpuvm/v1alpha1"),
    kind: z.literal("Lab"),
    metadata: z.strictObject({ name: dnsLabel }),
    cluster: z
      .strictObject({
        target: z.enum(TARGETS).default("kubevirt").describe("Default render target."),
        namespace: dnsLabel.default("default"),
        kubevirt: version.default("v1.6.3").describe("KubeVirt version the cluster runs."),
        cdi: version.default("v1.63.1").describe("CDI version the cluster runs."),
        kubevirtNamespace: dnsLabel.default("kubevirt"),
        minSystemReplicas: z.int().positive().default(1).describe("Fewest replicas a system disk may have."),
        isoStorage: z
          .string()
          .optional()
          .describe(
            "Storage key installation ISOs are uploaded into; defaults to the key iso when there is one.",
          ),
        maxHostShare: percent
          .superRefine((value, ctx) => {
            const share = parsePercent(value) ?? 0;
            if (share < 0.01 || share > 1)
              ctx.addIssue({
                code: "custom",
                message: `must be a share from 1% to 100%, such as "90%", found "${value}"`,
              });
          })
          .default("90%")
          .describe("Largest share of a host's CPUs or memory one mode may take before lint warns (GV016)."),
        harvester: z
          .strictObject({
            userName: z
              .string()
              .min(1)
              .default("admin")
              .describe("Harvester user recorded in PCIDeviceClaim spec.userName."),
          })
          .prefault({})
          .describe("Settings of the harvester target."),
      })
      .prefault({}),
    hosts: z.record(dnsLabel, Host).default({}),
    storage: z.record(dnsLabel, StorageClass).default({}),
    networks: z.record(dnsLabel, Network).default({}),
    priorities: z.record(dnsLabel, Priority).default({}),
    vms: z.record(dnsLabel, Vm).default({}),
  })
  .describe("A gpuvm lab: hosts with GPUs, storage, networks and VMs with live and maintenance modes.");

export type LabFile = z.output<typeof LabFileSchema>;
export type LabFileVm = LabFile["vms"][string];
export type LabFileHost = LabFile["hosts"][string];
export type LabFileMode = z.output<typeof LiveMode>;
