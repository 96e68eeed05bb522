import type { KernelCmdline } from "./types.js";

/** Splits `/proc/cmdline` into arguments, keeping quoted values whole. */
export function splitCmdline(raw: string): string[] {
  const args: string[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of raw.matchAll(re)) args.push(m[0].replace(/"/g, ""));
  return args;
}

/** Last value of `key=` wins, as in the kernel. */
function lastValue(args: string[], key: string): string | null {
  let value: string | null = null;
  for (const a of args) if (a.startsWith(`${key}=`)) value = a.slice(key.length + 1);
  return value;
}

export function parseCmdline(raw: string): KernelCmdline {
  const args = splitCmdline(raw.trim());
  const vfioPciIds: string[] = [];
  for (const a of args) {
    // Module parameters accept `-` and `_` interchangeably.
    const m = /^vfio[-_]pci\.ids=(.*)$/.exec(a);
    if (m?.[1]) vfioPciIds.push(...splitIds(m[1]));
  }
  const framebufferOff = args.filter(
    (a) =>
      /^video=(efifb|simplefb|vesafb|vesa):off$/.test(a) ||
      a === "initcall_blacklist=sysfb_init" ||
      a === "nofb" ||
      /^modprobe\.blacklist=.*(simpledrm|efifb)/.test(a),
  );
  return {
    raw: raw.trim(),
    intelIommu: lastValue(args, "intel_iommu"),
    amdIommu: lastValue(args, "amd_iommu"),
    iommu: lastValue(args, "iommu"),
    vfioPciIds,
    pcieAcsOverride: lastValue(args, "pcie_acs_override"),
    framebufferOff,
  };
}

/** `10de:2206,10DE:1aef` → normalised ids; anything not shaped like an id is dropped. */
export function splitIds(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => /^[0-9a-f]{4}:[0-9a-f]{4}$/.test(s));
}
