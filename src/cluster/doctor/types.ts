// A cluster doctor check: the same shape as the host doctor's, so both read alike.
export type Verdict = "ok" | "warn" | "fail";

export interface ClusterCheck {
  /** Stable id: kubevirt, cdi, virtctl, feature-gates, permitted-devices, gpu-node, storage-class, ... */
  id: string;
  verdict: Verdict;
  /** What the check looked at (a node, a storage class, a resource name), absent for cluster-wide ones. */
  subject?: string;
  detail: string;
  /** The exact next step when the verdict is not ok. */
  fix?: string;
}

export interface ClusterReport {
  server: string;
  namespace: string;
  checks: ClusterCheck[];
  summary: Record<Verdict, number>;
}

export function summarize(checks: ClusterCheck[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0 };
  for (const check of checks) summary[check.verdict] += 1;
  return summary;
}
