// Kubernetes resource quantities ("64Gi", "2Ti", "500M") and host shares ("80%").
// Only the forms a lab file needs: a decimal number with an optional binary or decimal suffix.

const SUFFIX_FACTORS: Record<string, number> = {
  "": 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

export const QUANTITY_PATTERN = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
export const PERCENT_PATTERN = /^(\d+(?:\.\d+)?)%$/;

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const TiB = 2 ** 40;
export const PiB = 2 ** 50;

/** Bytes of a quantity string, or undefined when it is not one. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) return undefined;
  const [, number, suffix = ""] = match;
  return Number(number) * (SUFFIX_FACTORS[suffix] ?? 1);
}

/** The fraction (0.8 for "80%") of a percentage string, or undefined when it is not one. */
export function parsePercent(text: string): number | undefined {
  const match = PERCENT_PATTERN.exec(text);
  return match ? Number(match[1]) / 100 : undefined;
}

/** The shortest exact binary form of a byte count: 27917287424 → "26Gi". */
export function formatBytes(bytes: number): string {
  for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
    const factor = SUFFIX_FACTORS[suffix] ?? 1;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

/** The range a quantity must lie in, and what it is the size of (for the message). */
export interface QuantityBounds {
  min: number;
  max: number;
  /** Why the lower bound: "a VM needs at least that to boot". */
  why: string;
}

// Bounds of what a lab can mean (docs/lab-file.md, "Limits"). Below them a value is a slip of the
// suffix (memory: 4Ki for 4Gi) that would render a VM that never boots; above them no machine exists.
/** Memory of one VM mode: KubeVirt's guests need tens of MiB to boot at all. */
export const VM_MEMORY: QuantityBounds = {
  min: 64 * MiB,
  max: 64 * TiB,
  why: "a VM needs that much to boot",
};
/** A host's memory: a host smaller than the smallest VM can run none. */
export const HOST_MEMORY: QuantityBounds = {
  min: 64 * MiB,
  max: 64 * TiB,
  why: "a host needs room for at least one VM",
};
/** A disk (PVC or DataVolume): under a MiB no file system or partition table fits. */
export const DISK_SIZE: QuantityBounds = { min: MiB, max: PiB, why: "no partition table fits in less" };
/** Logical CPUs of a host, or cores of a mode. */
export const MAX_CPUS = 4096;

/** Why `text` (a valid quantity) is out of `bounds`, or undefined when it is within them. */
export function quantityProblem(text: string, bounds: QuantityBounds): string | undefined {
  const bytes = parseQuantity(text);
  if (bytes === undefined) return undefined;
  const found = `found ${JSON.stringify(text)}`;
  if (bytes < bounds.min) return `must be at least ${formatBytes(bounds.min)} (${bounds.why}), ${found}`;
  if (bytes > bounds.max) return `must be at most ${formatBytes(bounds.max)}, ${found}`;
  if (!Number.isInteger(bytes)) return `must be a whole number of bytes, ${found}`;
  return undefined;
}
