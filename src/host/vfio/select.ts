import { isPassthroughCandidate } from "../gpus.js";
import { pciSlot } from "../pci-address.js";
import type { HostScan, PciFunction } from "../types.js";

/**
 * Classes that a GPU card carries besides its display function: HD audio (0x0403), the USB-C
 * controller (0x0c03) and its UCSI port manager (0x0c80). Anything else sharing the group is
 * other hardware of the machine (a disk controller, a NIC, an LPC bridge) even when it happens
 * to sit in the same slot.
 */
const CARD_CLASS = /^(03|0403|0c03|0c80)/;

function isCardClass(f: PciFunction): boolean {
  return f.classCode !== null && CARD_CLASS.test(f.classCode);
}

/** Whether `f` is a GPU or one of its card's functions: what `host bind` may be pointed at. */
export function isOnGpuCard(f: PciFunction, scan: HostScan): boolean {
  const slot = pciSlot(f.address);
  return isCardClass(f) && scan.devices.some((d) => pciSlot(d.address) === slot && d.role === "display");
}

/**
 * Splits a group's endpoints into the GPU cards' functions, which bind moves on its own, and
 * the rest, which it moves only when named one by one. The cards are the target's and those
 * of other passthrough GPUs in the group (two GPUs behind one switch); a host display (a BMC's
 * ast, an i915) in the group is not a card to take along.
 */
export function splitGroup(
  target: PciFunction,
  endpoints: PciFunction[],
  scan: HostScan,
): { card: PciFunction[]; others: PciFunction[] } {
  const slots = new Set([pciSlot(target.address)]);
  for (const f of endpoints) if (isPassthroughCandidate(f, scan)) slots.add(pciSlot(f.address));
  const card = endpoints.filter((f) => slots.has(pciSlot(f.address)) && isCardClass(f));
  return { card, others: endpoints.filter((f) => !card.includes(f)) };
}
