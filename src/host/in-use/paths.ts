import { isPciAddress } from "../pci-address.js";
import type { HostReader } from "../reader.js";

/**
 * The PCI functions a sysfs object hangs below, from where its links really lead:
 * `sys/devices/pci0000:00/0000:00:01.2/0000:02:00.1/ata1/…/block/sda` is behind 0000:00:01.2
 * and 0000:02:00.1. Links that lead out of the root give nothing (they are never followed).
 */
export function pciAncestors(reader: HostReader, ...rels: string[]): string[] {
  const found = new Set<string>();
  for (const rel of rels) {
    const r = reader.realPath(rel);
    if (!r.ok) continue;
    for (const part of r.value.split("/")) if (isPciAddress(part)) found.add(part);
  }
  return [...found];
}

/** The octal escapes (`\040` for a space) that /proc/mounts, mountinfo and swaps use in paths. */
export function unescapeProcPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}
