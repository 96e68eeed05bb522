import type { HostReader } from "../reader.js";
import type { ScanIssue } from "../types.js";
import { pciAncestors, unescapeProcPath } from "./paths.js";

/** A block device the host uses (mounted, or swap), and the PCI functions it depends on. */
export interface BlockUse {
  /** `/dev/sda1`, `/dev/mapper/vg-root`. */
  device: string;
  /** The devices it is built on, for stacked ones (LVM, LUKS, md): `/dev/sda2`. */
  on: string[];
  /** Every PCI function below which the device or one it is built on sits. */
  pci: string[];
  /** `mounted at /`, `swap`. */
  uses: string[];
}

export interface BlockDevices {
  /** Block devices that sit below a PCI function, used or not, by name (`sda`, `nvme0n1p2`). */
  behind: { name: string; pci: string[] }[];
  inUse: BlockUse[];
  /** False when neither mountinfo nor /proc/mounts could be read: nothing can be said about disks. */
  mountsKnown: boolean;
}

interface Node {
  name: string;
  devnum: string | null;
  dmName: string | null;
  own: string[];
  slaves: string[];
}

interface MountEntry {
  devnum: string | null;
  source: string;
  mountpoint: string;
}

/** `/proc/self/mountinfo`: `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw`. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(" ");
    const sep = f.indexOf("-", 6);
    if (f.length < 7 || sep < 0) continue;
    out.push({
      devnum: f[2] ?? null,
      mountpoint: unescapeProcPath(f[4] ?? ""),
      source: unescapeProcPath(f[sep + 2] ?? ""),
    });
  }
  return out;
}

/** `/proc/mounts`: `/dev/sda1 / ext4 rw 0 0`. */
export function parseProcMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !f[0] || !f[1]) continue;
    out.push({ devnum: null, source: unescapeProcPath(f[0]), mountpoint: unescapeProcPath(f[1]) });
  }
  return out;
}

/** `/proc/swaps`: the header line, then `/dev/sda3 partition 8388604 0 -2`. */
export function parseSwaps(text: string): string[] {
  return text
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((s) => s !== "")
    .map(unescapeProcPath);
}

function text(reader: HostReader, rel: string): string | null {
  const r = reader.readText(rel);
  return r.ok ? r.value.trim() : null;
}

function readNodes(reader: HostReader): Map<string, Node> {
  const nodes = new Map<string, Node>();
  const disks = reader.listDir("sys/block");
  for (const disk of disks.ok ? disks.value : []) {
    const dir = `sys/block/${disk}`;
    const own = pciAncestors(reader, dir, `${dir}/device`);
    const slaves = reader.listDir(`${dir}/slaves`);
    nodes.set(disk, {
      name: disk,
      devnum: text(reader, `${dir}/dev`),
      dmName: text(reader, `${dir}/dm/name`),
      own,
      slaves: slaves.ok ? slaves.value : [],
    });
    const entries = reader.listDir(dir);
    for (const part of entries.ok ? entries.value : []) {
      if (!reader.exists(`${dir}/${part}/partition`)) continue;
      nodes.set(part, {
        name: part,
        devnum: text(reader, `${dir}/${part}/dev`),
        dmName: null,
        own,
        slaves: [],
      });
    }
  }
  return nodes;
}

function pciOf(nodes: Map<string, Node>, name: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const node = nodes.get(name);
  if (!node || seen.has(name)) return out;
  seen.add(name);
  for (const p of node.own) out.add(p);
  for (const s of node.slaves) for (const p of pciOf(nodes, s, seen)) out.add(p);
  return out;
}

/** Which block device a mount or swap source names: `/dev/sda1`, `/dev/mapper/x`, a `/dev/disk/by-…` link. */
function nodeOfSource(reader: HostReader, nodes: Map<string, Node>, source: string): Node | null {
  if (!source.startsWith("/dev/")) return null;
  const rest = source.slice("/dev/".length);
  if (rest.startsWith("mapper/")) {
    const dm = rest.slice("mapper/".length);
    return [...nodes.values()].find((n) => n.dmName === dm) ?? null;
  }
  const direct = nodes.get(rest);
  if (direct) return direct;
  const real = reader.realPath(`dev/${rest}`);
  return real.ok ? (nodes.get(real.value.split("/").pop() ?? "") ?? null) : null;
}

function label(node: Node): string {
  return node.dmName ? `/dev/mapper/${node.dmName}` : `/dev/${node.name}`;
}

/** Disks behind PCI functions, and which of them the host has mounted or swaps on. */
export function readBlockDevices(reader: HostReader, issues: ScanIssue[]): BlockDevices {
  const nodes = readNodes(reader);
  let mounts: MountEntry[] | null = null;
  for (const [rel, parse] of [
    ["proc/self/mountinfo", parseMountinfo],
    ["proc/mounts", parseProcMounts],
  ] as const) {
    const r = reader.readText(rel);
    if (r.ok) {
      mounts = parse(r.value);
      break;
    }
    if (!r.missing) issues.push({ path: rel, reason: r.reason });
  }
  const uses = new Map<string, string[]>();
  const use = (node: Node | null, what: string) => {
    if (!node) return;
    const list = uses.get(node.name) ?? [];
    if (!list.includes(what)) list.push(what);
    uses.set(node.name, list);
  };
  const byDevnum = new Map([...nodes.values()].filter((n) => n.devnum).map((n) => [n.devnum, n]));
  for (const m of mounts ?? []) {
    const node = (m.devnum ? byDevnum.get(m.devnum) : undefined) ?? nodeOfSource(reader, nodes, m.source);
    use(node ?? null, `mounted at ${m.mountpoint}`);
  }
  const swaps = reader.readText("proc/swaps");
  if (!swaps.ok && !swaps.missing) issues.push({ path: "proc/swaps", reason: swaps.reason });
  for (const s of swaps.ok ? parseSwaps(swaps.value) : [])
    use(nodeOfSource(reader, nodes, s), "used as swap");

  const inUse: BlockUse[] = [];
  for (const [name, list] of uses) {
    const node = nodes.get(name) as Node;
    inUse.push({
      device: label(node),
      on: node.slaves.flatMap((s) => {
        const n = nodes.get(s);
        return n ? [label(n)] : [];
      }),
      pci: [...pciOf(nodes, name)].sort(),
      uses: list,
    });
  }
  const behind = [...nodes.values()]
    .map((n) => ({ name: n.name, pci: [...pciOf(nodes, n.name)].sort() }))
    .filter((b) => b.pci.length > 0);
  return { behind, inUse, mountsKnown: mounts !== null };
}
