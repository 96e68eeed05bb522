// The resource name Harvester's pcidevices controller advertises for a PCI device, derived the way it
// derives it from the pci.ids vendor and device names (so a lab can name a device as lspci shows it):
//   vendor: the part in brackets before any "/" ("Advanced Micro Devices, Inc. [AMD/ATI]" → amd),
//           else the first word ("NVIDIA Corporation" → nvidia); letters and digits only, lower case, + ".com"
//   device: upper case; "/", "." and runs of white space become "_"; anything else but letters, digits
//           and "_" is dropped; trailing "_" trimmed ("GA102 [GeForce RTX 3090]" → GA102_GEFORCE_RTX_3090)
// and when the device plugin's socket path would pass the 108-byte limit of a Unix socket name, the
// device ID replaces the device name (after first shortening VIRTUAL_FUNCTION to VF).

/** pci.ids vendor names of the GPU vendors, for labs that give only the device name. */
export const PCI_VENDOR_NAMES: Record<string, string> = {
  "10de": "NVIDIA Corporation",
  "1002": "Advanced Micro Devices, Inc. [AMD/ATI]",
  "8086": "Intel Corporation",
};

const SOCKET_PREFIX = "/var/lib/kubelet/device-plugins/kubevirt-";
const SOCKET_NAME_LIMIT = 108;

function lettersAndDigits(text: string): string {
  return text.replace(/[^a-zA-Z0-9]+/g, "");
}

export function harvesterVendorDomain(vendorName: string): string {
  const bracketed = /\[([^\]]+)\]/.exec(vendorName)?.[1];
  const base = bracketed !== undefined ? (bracketed.split("/")[0] ?? "") : (vendorName.split(" ")[0] ?? "");
  return `${lettersAndDigits(base).toLowerCase()}.com`;
}

export function harvesterProductName(product: string): string {
  return product
    .trim()
    .toUpperCase()
    .replaceAll("/", "_")
    .replaceAll(".", "_")
    .replace(/\s+/g, "_")
    .replace(/[^a-zA-Z0-9_.]+/g, "")
    .replace(/[_.-]+$/, "");
}

function fitSocketLimit(domain: string, product: string, deviceId: string): string {
  const socket = `${SOCKET_PREFIX}/${domain}-${product}.sock`;
  if (socket.length <= SOCKET_NAME_LIMIT) return `${domain}/${product}`;
  if (product.includes("VIRTUAL_FUNCTION"))
    return fitSocketLimit(domain, product.replaceAll("VIRTUAL_FUNCTION", "VF"), deviceId);
  return `${domain}/${deviceId}`;
}

/** Harvester's resource name for a device with these pci.ids names and device ID ("2204"). */
export function harvesterResourceName(vendorName: string, product: string, deviceId: string): string {
  const domain = harvesterVendorDomain(vendorName);
  const cleaned = harvesterProductName(product);
  return fitSocketLimit(domain, cleaned === "" ? deviceId : cleaned, deviceId);
}
