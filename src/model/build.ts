// LabFile (validated shape) → Lab (resolved references, sizes, defaults), or located problems.

import { MODES } from "../config/modes.js";
import { dottedPath, InputError, type Problem } from "../config/problem.js";
import { formatBytes, parsePercent, parseQuantity, VM_MEMORY } from "../config/quantity.js";
import type { LabFile, LabFileHost, LabFileVm } from "../config/schema.js";
import type { LabPath, LabSource } from "../config/source.js";
import { didYouMean } from "../config/suggest.js";
import type {
  ContainerDisk,
  Disk,
  DiskBus,
  Gpu,
  Host,
  Lab,
  Mode,
  ModeName,
  NetworkSpec,
  Nic,
  PrioritySpec,
  StorageClassSpec,
  Vm,
} from "./lab.js";
import { resolveCores, resolveMemoryBytes } from "./sizing.js";

const VENDOR_DOMAINS: Record<string, string> = {
  "10de": "nvidia.com",
  "1002": "amd.com",
  "8086": "intel.com",
};
const MAX_NAME = 63;

class Problems {
  readonly list: Problem[] = [];
  constructor(private readonly source: LabSource) {}
  add(path: LabPath, message: string, options: { key?: boolean } = {}): void {
    this.list.push({ ...this.source.locate(path, options), path: dottedPath(path), message });
  }
}

function buildHost(name: string, host: LabFileHost): Host {
  const path = ["hosts", name];
  return {
    name,
    cpu: host.capacity.cpu,
    memoryBytes: parseQuantity(host.capacity.memory) ?? 0,
    ...(host.cpuVendor ? { cpuVendor: host.cpuVendor } : {}),
    ...(host.bridge ? { bridge: host.bridge } : {}),
    path,
    gpus: Object.entries(host.gpus).map(([key, gpu]): Gpu => {
      const gpuPath = [...path, "gpus", key];
      return {
        key,
        host: name,
        ...(gpu.iommuGroup !== undefined ? { iommuGroup: gpu.iommuGroup } : {}),
        path: gpuPath,
        functions: gpu.functions.map((fn, index) => {
          const id = fn.id.toLowerCase();
          const number = fn.address.slice(-1);
          const vendor = VENDOR_DOMAINS[id.slice(0, 4)] ?? "devices.gpuvm.io";
          return {
            address: fn.address,
            id,
            resource: fn.resource ?? (index === 0 ? `${vendor}/${key}` : `${vendor}/${key}-${number}`),
            resourceDeclared: fn.resource !== undefined,
            ...(fn.vendor !== undefined ? { vendorName: fn.vendor } : {}),
            ...(fn.product !== undefined ? { product: fn.product } : {}),
            attach: fn.attach,
            name: fn.name ?? `${key}-${number}`,
            path: [...gpuPath, "functions", index],
          };
        }),
      };
    }),
  };
}

function checkHostFunctions(host: Host, problems: Problems): void {
  const seen = new Map<string, string>();
  for (const gpu of host.gpus) {
    for (const fn of gpu.functions) {
      const other = seen.get(fn.address);
      if (other)
        problems.add([...fn.path, "address"], `${fn.address} is already listed under GPU "${other}"`);
      seen.set(fn.address, gpu.key);
    }
  }
}

function buildStorage(file: LabFile): StorageClassSpec[] {
  return Object.entries(file.storage).map(([key, sc]) => ({
    key,
    name: sc.name ?? key,
    provisioner: sc.provisioner,
    replicas: sc.replicas,
    ...(sc.disk !== undefined ? { disk: sc.disk } : {}),
    ...(sc.node !== undefined ? { node: sc.node } : {}),
    binding: sc.binding,
    reclaim: sc.reclaim,
    volumeMode: sc.volumeMode,
    forceBind: sc.forceBind,
    existing: sc.existing,
    path: ["storage", key],
  }));
}

function buildNetworks(file: LabFile): NetworkSpec[] {
  return Object.entries(file.networks).map(([key, net]) => ({
    key,
    name: net.name ?? key,
    bridge: net.bridge,
    binding: net.binding,
    ...(net.subnet !== undefined ? { subnet: net.subnet } : {}),
    ...(net.gateway !== undefined ? { gateway: net.gateway } : {}),
    ...(net.range !== undefined ? { range: net.range } : {}),
    ...(net.domain !== undefined ? { domain: net.domain } : {}),
    ...(net.vlan !== undefined ? { vlan: net.vlan } : {}),
    path: ["networks", key],
  }));
}

function checkUniqueNames(items: { name: string; path: LabPath }[], what: string, problems: Problems): void {
  const seen = new Map<string, LabPath>();
  for (const item of items) {
    const first = seen.get(item.name);
    if (first) problems.add(item.path, `${what} name "${item.name}" is already used by ${dottedPath(first)}`);
    else seen.set(item.name, item.path);
  }
}

function defaultBus(vm: { windows: boolean }, mode: ModeName): DiskBus {
  // Windows has no virtio drivers until they are installed: SATA while installing (maintenance),
  // virtio for speed in live mode (seed 000's "SATA vs VirtIO").
  if (vm.windows && mode === "maintenance") return "sata";
  return "virtio";
}

interface VmContext {
  hosts: Map<string, Host>;
  storage: Map<string, StorageClassSpec>;
  networks: Map<string, NetworkSpec>;
  problems: Problems;
}

function buildMode(
  vmName: string,
  vm: LabFileVm,
  name: ModeName,
  windows: boolean,
  context: VmContext,
): Mode | undefined {
  const spec = vm.modes[name];
  if (!spec) return undefined;
  const path = ["vms", vmName, "modes", name];
  const { hosts, problems } = context;

  // Maintenance without a host prefers the live mode's host: the disks usually live near it.
  const hostName = spec.host ?? (name === "maintenance" ? vm.modes.live?.host : undefined);
  let host: Host | undefined;
  if (hostName !== undefined) {
    host = hosts.get(hostName);
    // An inherited host was already reported where the live mode names it.
    if (!host && spec.host !== undefined) {
      problems.add([...path, "host"], `unknown host "${hostName}"${didYouMean(hostName, [...hosts.keys()])}`);
    }
  }

  for (const [field, value] of [
    ["cpu", spec.cpu],
    ["memory", spec.memory],
  ] as const) {
    if (typeof value !== "string") continue;
    const share = parsePercent(value);
    if (share === undefined) continue;
    if (share > 1) problems.add([...path, field], `"${value}" is more than the whole host (at most 100%)`);
    else if (share === 0) problems.add([...path, field], `"${value}" leaves nothing for the VM`);
    else if (hostName === undefined) {
      problems.add([...path, field], `"${value}" is a share of a host, but this mode names no host`);
    }
  }

  const gpus: Gpu[] = [];
  for (const [index, ref] of spec.gpus.entries()) {
    if (!host) {
      if (hostName === undefined)
        problems.add([...path, "gpus", index], "a GPU needs the mode to name its host");
      continue;
    }
    const gpu = host.gpus.find((candidate) => candidate.key === ref);
    if (!gpu) {
      const known = host.gpus.map((candidate) => candidate.key);
      problems.add(
        [...path, "gpus", index],
        `host "${host.name}" has no GPU "${ref}"${didYouMean(ref, known)}`,
      );
    } else if (gpus.includes(gpu)) {
      problems.add([...path, "gpus", index], `GPU "${ref}" is listed twice`);
    } else {
      gpus.push(gpu);
    }
  }

  const cores = resolveCores(spec.cpu, host?.cpu) ?? 1;
  const memoryBytes = resolveMemoryBytes(spec.memory, host?.memoryBytes) ?? 0;
  // A quantity was bounded by the schema; a share is known only now, against its host.
  if (host && parsePercent(spec.memory) !== undefined && memoryBytes < VM_MEMORY.min) {
    problems.add(
      [...path, "memory"],
      `"${spec.memory}" of host "${host.name}"'s ${formatBytes(host.memoryBytes)} is ${formatBytes(memoryBytes)}; a mode needs at least ${formatBytes(VM_MEMORY.min)} (${VM_MEMORY.why})`,
    );
  }
  const objectName = `${vmName}-${name}`;
  if (objectName.length > MAX_NAME) {
    problems.add(["vms", vmName], `VM name "${objectName}" would be longer than ${MAX_NAME} characters`, {
      key: true,
    });
  }
  return {
    name,
    vm: vmName,
    objectName,
    ...(host ? { host } : {}),
    affinity: host ? (name === "live" || gpus.length > 0 ? "required" : "preferred") : "none",
    cores,
    memoryBytes,
    memory:
      typeof spec.memory === "string" && parsePercent(spec.memory) === undefined
        ? spec.memory
        : formatBytes(memoryBytes),
    gpus,
    ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
    diskBus: spec.diskBus ?? defaultBus({ windows }, name),
    path,
  };
}

function buildVm(vmName: string, vm: LabFileVm, context: VmContext): Vm {
  const path = ["vms", vmName];
  const { storage, networks, problems } = context;
  const windows = vm.os !== "linux";
  const windows11 = vm.os === "windows11";

  const diskEntries = Object.entries(vm.disks);
  const explicitBoot = diskEntries.filter(([, disk]) => disk.boot === true).map(([key]) => key);
  if (explicitBoot.length > 1) {
    problems.add(
      [...path, "disks", explicitBoot[1] ?? ""],
      `only one disk can boot; "${explicitBoot[0]}" already does`,
    );
  }
  const bootKey = explicitBoot[0] ?? (vm.disks.system ? "system" : diskEntries[0]?.[0]);

  const disks: Disk[] = [];
  const containerDisks: ContainerDisk[] = [];
  for (const [key, disk] of diskEntries) {
    const diskPath = [...path, "disks", key];
    if (disk.containerDisk !== undefined) {
      const bus = disk.bus ? { bus: disk.bus } : {};
      containerDisks.push({ key, image: disk.containerDisk, ...bus, boot: key === bootKey, path: diskPath });
      continue;
    }
    // The schema guarantees size and storage for every disk that is not a containerDisk.
    const storageKey = disk.storage ?? "";
    const sc = storage.get(storageKey);
    if (!sc) {
      problems.add(
        [...diskPath, "storage"],
        `unknown storage "${storageKey}"${didYouMean(storageKey, [...storage.keys()])}`,
      );
      continue;
    }
    disks.push({
      key,
      claimName: `${vmName}-${key}`,
      size: disk.size ?? "",
      storage: sc,
      ...(disk.bus ? { bus: disk.bus } : {}),
      boot: key === bootKey,
      ...(disk.source ? { source: disk.source } : {}),
      path: diskPath,
    });
  }

  const nics: Nic[] = [];
  for (const [key, nic] of Object.entries(vm.nics)) {
    const network = networks.get(key);
    if (!network) {
      problems.add(
        [...path, "nics", key],
        `unknown network "${key}"${didYouMean(key, [...networks.keys()])}`,
        {
          key: true,
        },
      );
      continue;
    }
    nics.push({
      network,
      name: network.key,
      ...(nic.mac !== undefined ? { mac: nic.mac } : {}),
      ...(nic.ip !== undefined ? { ip: nic.ip } : {}),
      ...(nic.model !== undefined ? { model: nic.model } : {}),
      path: [...path, "nics", key],
    });
  }

  const modes = MODES.map((name) => buildMode(vmName, vm, name, windows, context)).filter(
    (mode): mode is Mode => mode !== undefined,
  );
  const defaultMode = vm.defaultMode ?? modes[0]?.name ?? "live";
  if (!modes.some((mode) => mode.name === defaultMode)) {
    problems.add([...path, "defaultMode"], `VM has no ${defaultMode} mode`);
  }

  return {
    name: vmName,
    os: vm.os,
    windows,
    ...(vm.description !== undefined ? { description: vm.description } : {}),
    firmware: {
      efi: vm.firmware?.efi ?? true,
      secureBoot: vm.firmware?.secureBoot ?? windows11,
      tpm: vm.firmware?.tpm ?? windows11,
    },
    graphics: { vnc: vm.graphics?.vnc ?? true, ...(vm.graphics?.video ? { video: vm.graphics.video } : {}) },
    hyperv: vm.hyperv ?? (windows ? { relaxed: true, vapic: true, spinlocks: 4096 } : {}),
    disks,
    containerDisks,
    nics,
    modes,
    defaultMode,
    lintIgnore: vm.lint?.ignore ?? {},
    ...(vm.capk ? { capk: vm.capk } : {}),
    path,
  };
}

function buildPriorities(file: LabFile, vms: Vm[]): PrioritySpec[] {
  const priorities: PrioritySpec[] = Object.entries(file.priorities).map(([name, priority]) => ({
    name,
    value: priority.value,
    preemption: priority.preemption,
    ...(priority.description !== undefined ? { description: priority.description } : {}),
    declared: true,
  }));
  for (const mode of vms.flatMap((vm) => vm.modes)) {
    if (mode.priority && !priorities.some((priority) => priority.name === mode.priority)) {
      // Named but not declared: the seed's gaming-priority (1000, may preempt) is what users mean.
      priorities.push({
        name: mode.priority,
        value: 1000,
        preemption: "PreemptLowerPriority",
        declared: false,
      });
    }
  }
  return priorities;
}

/** Normalises a validated lab file. Throws InputError with every problem found. */
export function buildLab(file: LabFile, source: LabSource): Lab {
  const problems = new Problems(source);
  const hosts = Object.entries(file.hosts).map(([name, host]) => buildHost(name, host));
  for (const host of hosts) checkHostFunctions(host, problems);
  const storage = buildStorage(file);
  const networks = buildNetworks(file);
  checkUniqueNames(storage, "StorageClass", problems);
  checkUniqueNames(networks, "network", problems);

  const context: VmContext = {
    hosts: new Map(hosts.map((host) => [host.name, host])),
    storage: new Map(storage.map((sc) => [sc.key, sc])),
    networks: new Map(networks.map((net) => [net.key, net])),
    problems,
  };
  const vms = Object.entries(file.vms).map(([name, vm]) => buildVm(name, vm, context));
  checkUniqueNames(
    vms.flatMap((vm) => vm.disks.map((disk) => ({ name: disk.claimName, path: disk.path }))),
    "volume",
    problems,
  );

  const isoKey = file.cluster.isoStorage ?? "iso";
  const isoStorage = context.storage.get(isoKey);
  if (file.cluster.isoStorage !== undefined && !isoStorage) {
    problems.add(
      ["cluster", "isoStorage"],
      `unknown storage "${isoKey}"${didYouMean(isoKey, [...context.storage.keys()])}`,
    );
  }

  if (problems.list.length > 0) {
    problems.list.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new InputError(problems.list);
  }
  return {
    name: file.metadata.name,
    source,
    cluster: {
      target: file.cluster.target,
      namespace: file.cluster.namespace,
      kubevirtVersion: file.cluster.kubevirt,
      cdiVersion: file.cluster.cdi,
      kubevirtNamespace: file.cluster.kubevirtNamespace,
      minSystemReplicas: file.cluster.minSystemReplicas,
      maxHostShare: parsePercent(file.cluster.maxHostShare) ?? 0.9,
      harvester: { userName: file.cluster.harvester.userName },
    },
    hosts,
    storage,
    ...(isoStorage ? { isoStorage } : {}),
    networks,
    priorities: buildPriorities(file, vms),
    vms,
  };
}
