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
