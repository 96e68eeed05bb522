import { splitIds } from "./cmdline.js";
import type { EarlyBindingConfig } from "./types.js";

/** Lines of a config file without comments and blank lines. */
function meaningfulLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter((l) => l !== "");
}

const VFIO_MODULES = new Set([
  "vfio",
  "vfio_pci",
  "vfio-pci",
  "vfio_iommu_type1",
  "vfio_virqfd",
  "vfio_pci_core",
]);

/** Reads what one `modprobe.d/*.conf` file says about vfio-pci. */
export function parseModprobeConf(
  text: string,
): Pick<EarlyBindingConfig, "modprobeVfioIds" | "softdeps" | "blacklisted"> {
  const modprobeVfioIds: string[] = [];
  const softdeps: string[] = [];
  const blacklisted: string[] = [];
  for (const line of meaningfulLines(text)) {
    const words = line.split(/\s+/);
    const [cmd, mod] = words;
    if (cmd === "options" && (mod === "vfio-pci" || mod === "vfio_pci")) {
      for (const w of words.slice(2)) if (w.startsWith("ids=")) modprobeVfioIds.push(...splitIds(w.slice(4)));
    } else if (cmd === "softdep" && mod) {
      const pre = words.indexOf("pre:");
      if (pre >= 0) {
        const preMods = words.slice(pre + 1).filter((w) => !w.endsWith(":"));
        if (preMods.some((w) => w === "vfio-pci" || w === "vfio_pci")) softdeps.push(mod);
      }
    } else if (cmd === "blacklist" && mod) {
      blacklisted.push(mod);
    }
  }
  return { modprobeVfioIds, softdeps, blacklisted };
}

/** vfio modules named in `/etc/initramfs-tools/modules` (one module per line). */
export function parseInitramfsModules(text: string): string[] {
  return meaningfulLines(text)
    .map((l) => l.split(/\s+/)[0] ?? "")
    .filter((m) => VFIO_MODULES.has(m));
}

/** vfio drivers from dracut's `force_drivers+=" … "` / `add_drivers+=" … "`. */
export function parseDracutConf(text: string): string[] {
  const out: string[] = [];
  for (const line of meaningfulLines(text)) {
    const m = /^(?:force_drivers|add_drivers)\+?=\s*["']?([^"']*)["']?$/.exec(line);
    if (!m) continue;
    for (const w of (m[1] ?? "").split(/\s+/)) if (VFIO_MODULES.has(w)) out.push(w);
  }
  return out;
}
