import { isPciAddress } from "./pci-address.js";

/** `/proc/fb` names of the firmware framebuffers, which hold the boot GPU until told to let go. */
const FIRMWARE_FB_NAMES: [RegExp, string][] = [
  [/^EFI VGA$/, "efifb"],
  [/^VESA VGA$/, "vesafb"],
  [/^simple$/, "simplefb"],
  [/^simpledrm/, "simpledrm"],
];

/** Regions in `/proc/iomem` that firmware framebuffers claim. */
const IOMEM_FB = /^(efifb|vesafb|simplefb|simpledrm|BOOTFB)$/;

export function parseProcFb(text: string): { index: number; name: string }[] {
  const out: { index: number; name: string }[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+)\s+(.+)$/.exec(line.trim());
    if (m) out.push({ index: Number(m[1]), name: (m[2] ?? "").trim() });
  }
  return out;
}

export function firmwareDriversInProcFb(devices: { name: string }[]): string[] {
  const found = new Set<string>();
  for (const d of devices) {
    for (const [re, driver] of FIRMWARE_FB_NAMES) if (re.test(d.name)) found.add(driver);
  }
  return [...found];
}

/**
 * Finds which PCI device's memory a firmware framebuffer lives in, from `/proc/iomem`
 * nesting (two spaces per level): the nearest enclosing region named like a PCI address.
 */
export function framebufferHolderFromIomem(text: string): { holder: string | null; drivers: string[] } {
  const stack: { depth: number; name: string }[] = [];
  const drivers = new Set<string>();
  let holder: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^( *)[0-9a-fA-F]+-[0-9a-fA-F]+ : (.+)$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? "").length;
    const name = (m[2] ?? "").trim();
    while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? 0) >= depth) stack.pop();
    if (IOMEM_FB.test(name)) {
      drivers.add(name === "BOOTFB" ? "simpledrm" : name);
      const parent = [...stack].reverse().find((s) => isPciAddress(s.name));
      if (parent && holder === null) holder = parent.name;
    }
    stack.push({ depth, name });
  }
  return { holder, drivers: [...drivers] };
}
