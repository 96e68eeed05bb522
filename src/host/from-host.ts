import { describeFunction, findGpuGroups, type GpuGroup } from "./gpus.js";
import { gpuKeyFor, resourceNameFor } from "./resource-name.js";
import type { HostScan, PciFunction } from "./types.js";

/** A host name as a lab key (a DNS label). */
export function hostKey(hostname: string | null): string {
  const key = (hostname ?? "")
    .toLowerCase()
    .split(".")[0]
    ?.replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return key || "host";
}

/** Memory as a quantity the lab accepts, rounded down to whole GiB (MemTotal is a little under the DIMMs). */
export function memoryQuantity(bytes: number | null): string {
  if (!bytes) return "1Gi";
  const gib = Math.floor(bytes / 1024 ** 3);
  return gib >= 1 ? `${gib}Gi` : `${Math.max(1, Math.floor(bytes / 1024 ** 2))}Mi`;
}

function functionLine(f: PciFunction): string {
  const id = f.id ?? "ffff:ffff";
  const resource = resourceNameFor(f.vendorId ?? "ffff", f.deviceId ?? "ffff", f.deviceName);
  const name = f.deviceName ?? (f.className ? `${f.className} ${id}` : `${id}, not in pci.ids`);
  return `          - { address: "${f.address}", id: "${id}", resource: ${resource} }   # ${name}`;
}

function uniqueKey(base: string, used: Set<string>): string {
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
  used.add(key);
  return key;
}

/**
 * A lab file whose hosts section describes the scanned host: capacity, CPU vendor, each GPU
 * with every function of its IOMMU group (resource names as NVIDIA's device plugin names
 * them), and the bridge if one exists. Text, so it can carry comments for whoever edits it.
 */
export function labFromScan(scan: HostScan): string {
  const host = hostKey(scan.hostname);
  const gpus = findGpuGroups(scan);
  const used = new Set<string>();
  const lines: string[] = [
    "# yaml-language-server: $schema=./gpuvm.schema.json",
    `# Written by gpuvm init --from-host from ${scan.hostname ?? "this host"}: edit freely.`,
    "# Next: gpuvm validate -f <this file>, and gpuvm host doctor -f <this file> on the host.",
    "apiVersion: gpuvm/v1alpha1",
    "kind: Lab",
    "metadata:",
    `  name: ${host}`,
    "hosts:",
    `  ${host}:`,
    `    capacity: { cpu: ${Math.max(1, scan.cpu.logicalCpus)}, memory: ${memoryQuantity(scan.memoryBytes)} }`,
  ];
  if (scan.cpu.vendor !== "unknown") lines.push(`    cpuVendor: ${scan.cpu.vendor}`);
  if (gpus.length === 0) {
    lines.push("    # No GPU for passthrough was found on this host (gpuvm host doctor says why).");
  } else {
    lines.push("    gpus:");
    for (const g of gpus) lines.push(...gpuLines(g, used));
  }
  const bridge = scan.bridges.find((b) => b.physicalPorts.length > 0);
  if (bridge) {
    lines.push(`    bridge: { name: ${bridge.name}, uplink: ${bridge.physicalPorts[0]} }`);
  } else {
    lines.push("    # bridge: { name: local-br0, uplink: enp9s0 }   # no Linux bridge with a NIC found");
  }
  return `${lines.join("\n")}\n`;
}

function gpuLines(g: GpuGroup, used: Set<string>): string[] {
  const key = uniqueKey(gpuKeyFor(g.gpu.deviceName, g.gpu.address), used);
  const out = [`      ${key}:`];
  if (g.strangers.length) {
    out.push(
      `        # Its IOMMU group also holds ${g.strangers.map(describeFunction).join(", ")}:`,
      "        # passthrough needs them too, or a separate group (see gpuvm host doctor). Only the card is listed.",
    );
  }
  if (g.group) out.push(`        iommuGroup: ${g.group.id}`);
  out.push("        functions:");
  for (const f of [g.gpu, ...g.sameCard]) out.push(functionLine(f));
  return out;
}
