import type { CpuInfo, CpuVendor } from "./types.js";

/** Parses `/proc/cpuinfo` from x86 (vendor_id, flags) or arm64 (CPU implementer, Features). */
export function parseCpuinfo(text: string): CpuInfo {
  let vendorRaw: string | null = null;
  let modelName: string | null = null;
  let flags: string[] = [];
  let logicalCpus = 0;
  for (const line of text.split("\n")) {
    const idx = line.indexOf(":");
    if (idx < 0) continue;
    const key = line.slice(0, idx).trim();
    const value = line.slice(idx + 1).trim();
    if (key === "processor") logicalCpus += 1;
    else if (key === "vendor_id" && vendorRaw === null) vendorRaw = value;
    else if (key === "CPU implementer" && vendorRaw === null) vendorRaw = value;
    else if (key === "model name" && modelName === null) modelName = value;
    else if (key === "flags" && flags.length === 0) flags = value.split(/\s+/);
  }
  let vendor: CpuVendor = "unknown";
  if (vendorRaw === "GenuineIntel") vendor = "intel";
  else if (vendorRaw === "AuthenticAMD" || vendorRaw === "HygonGenuine") vendor = "amd";
  else if (vendorRaw?.startsWith("0x")) vendor = "arm";
  const virtualizationFlag = flags.includes("vmx") ? "vmx" : flags.includes("svm") ? "svm" : null;
  return { vendor, vendorRaw, modelName, virtualizationFlag, logicalCpus };
}
