import type { PciRole } from "./types.js";

const FULL = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;
const SHORT = /^([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/** Canonical `dddd:bb:ss.f`; accepts lspci's short `bb:ss.f` (domain 0000). Null when not an address. */
export function normalizePciAddress(input: string): string | null {
  const s = input.trim().toLowerCase();
  if (FULL.test(s)) return s;
  const short = SHORT.exec(s);
  if (short) return `0000:${short[1]}:${short[2]}.${short[3]}`;
  return null;
}

export function isPciAddress(name: string): boolean {
  return FULL.test(name);
}

/** The address without its function number: functions of one card share it. */
export function pciSlot(address: string): string {
  return address.replace(/\.[0-7]$/, "");
}

/** Role of a function from its 24-bit class code (`030000`). */
export function roleOfClass(classCode: string | null): PciRole {
  if (!classCode) return "other";
  const cls = classCode.slice(0, 2);
  const sub = classCode.slice(0, 4);
  if (cls === "03") return "display";
  if (sub === "0403" || sub === "0401") return "audio";
  if (sub === "0c03") return "usb";
  if (sub === "0c80" || sub === "0c05") return "serial-bus";
  if (sub === "0600") return "host-bridge";
  if (sub === "0604" || sub === "0609") return "pci-bridge";
  return "other";
}

/** Bridges may share a group with a passed-through device; vfio leaves them on the host. */
export function isBridgeRole(role: PciRole): boolean {
  return role === "host-bridge" || role === "pci-bridge";
}
