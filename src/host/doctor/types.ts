export type Verdict = "ok" | "warn" | "fail";

export interface DoctorCheck {
  /** Stable id, e.g. `iommu`, `gpu-group`. */
  id: string;
  verdict: Verdict;
  /** What the check looked at: a PCI address for per-GPU checks, absent for host-wide ones. */
  subject?: string;
  /** What was found, in one or two sentences. */
  detail: string;
  /** The exact next step, when the verdict is not ok. */
  fix?: string;
}

export interface DoctorReport {
  host: string | null;
  root: string;
  checks: DoctorCheck[];
  summary: Record<Verdict, number>;
}

export function summarize(checks: DoctorCheck[]): Record<Verdict, number> {
  const summary: Record<Verdict, number> = { ok: 0, warn: 0, fail: 0 };
  for (const c of checks) summary[c.verdict] += 1;
  return summary;
}
