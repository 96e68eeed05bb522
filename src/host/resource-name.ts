/**
 * Resource names as NVIDIA's kubevirt-gpu-device-plugin advertises them: the pci.ids device
 * name upper-cased, `/`, `.` and whitespace runs turned into `_`, and every other character
 * that is not a letter, digit or `_` dropped. "GA102 [GeForce RTX 3080]" becomes
 * "GA102_GEFORCE_RTX_3080"; without a name the plugin uses the device id.
 */
export function devicePluginName(deviceName: string | null, deviceId: string): string {
  if (!deviceName) return deviceId.toLowerCase();
  const name = deviceName
    .trim()
    .toUpperCase()
    .replace(/[/.]/g, "_")
    .replace(/\s+/g, "_")
    .replace(/[^A-Z0-9_]+/g, "");
  return name || deviceId.toLowerCase();
}

const VENDOR_DOMAINS: Record<string, string> = {
  "10de": "nvidia.com",
  "1002": "amd.com",
  "8086": "intel.com",
};

/** `nvidia.com/GA102_GEFORCE_RTX_3080`; other vendors get their own domain with the same naming. */
export function resourceNameFor(vendorId: string, deviceId: string, deviceName: string | null): string {
  const domain = VENDOR_DOMAINS[vendorId.toLowerCase()] ?? "devices.gpuvm.io";
  // A resource name must end in a letter or digit.
  const name = devicePluginName(deviceName, deviceId).replace(/_+$/, "");
  return `${domain}/${name}`;
}

/** A short lab key for a GPU: "GA102 [GeForce RTX 3080]" → "rtx3080". */
export function gpuKeyFor(deviceName: string | null, address: string): string {
  const fallback = `gpu-${address.slice(5, 7)}-${address.slice(8, 10)}`;
  if (!deviceName) return fallback;
  const bracket = /\[([^\]]+)\]/.exec(deviceName)?.[1] ?? deviceName;
  const first = (bracket.split("/")[0] ?? "").toLowerCase();
  const words = first
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !["geforce", "radeon", "nvidia", "amd", "quadro", "tesla"].includes(w));
  // Letters followed by a model number read as one word: "rtx 3080" → "rtx3080".
  const key = words
    .join("-")
    .replace(/([a-z])-(\d)/g, "$1$2")
    .slice(0, 40)
    .replace(/-+$/, "");
  return /^[a-z0-9]/.test(key) ? key : fallback;
}
