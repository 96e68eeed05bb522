// One doctor check, as both doctors (host and cluster) report it: a verdict, what was looked at, what was
// found, and the exact next step. Sharing the shape keeps their output and JSON alike.
export type Verdict = "ok" | "warn" | "fail";

export interface Check {
  /** Stable id, such as `iommu`, `gpu-group`, `feature-gates`. */
  id: string;
  verdict: Verdict;
  /** What the check looked at (a PCI address, a node, a storage class); absent for whole-system checks. */
  subject?: string;
  /** What was found, in one or two sentences. */
  detail: string;
  /** The exact next step, when the verdict is not ok. */
  fix?: string;
}

export function summarize(checks: Check[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0 };
  for (const check of checks) summary[check.verdict] += 1;
  return summary;
}
