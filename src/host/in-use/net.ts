import type { HostReader } from "../reader.js";
import { pciAncestors } from "./paths.js";

export interface NetInterfaceUse {
  name: string;
  pci: string[];
  /** IFF_UP from `flags`, else `operstate`; null when neither could be read. */
  up: boolean | null;
}

/** Interfaces that sit on a PCI function (virtual ones have no `device` link and are left out). */
export function readNetInterfaces(reader: HostReader): NetInterfaceUse[] {
  const list = reader.listDir("sys/class/net");
  const out: NetInterfaceUse[] = [];
  for (const name of list.ok ? list.value : []) {
    const dir = `sys/class/net/${name}`;
    const pci = pciAncestors(reader, `${dir}/device`);
    if (pci.length === 0) continue;
    out.push({ name, pci, up: isUp(reader, dir) });
  }
  return out;
}

function isUp(reader: HostReader, dir: string): boolean | null {
  const flags = reader.readText(`${dir}/flags`);
  if (flags.ok && /^0x[0-9a-f]+$/i.test(flags.value.trim())) {
    // IFF_UP is bit 0: set by `ip link set up`, whether or not a cable is in.
    return (Number.parseInt(flags.value.trim(), 16) & 1) === 1;
  }
  const state = reader.readText(`${dir}/operstate`);
  if (state.ok) return state.value.trim() !== "down";
  return null;
}
