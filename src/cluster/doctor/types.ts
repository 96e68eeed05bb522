// A cluster doctor check: the same shape as the host doctor's, so both read alike.
import type { Check, Verdict } from "../../doctor/check.js";

export { summarize, type Verdict } from "../../doctor/check.js";
export type ClusterCheck = Check;

export interface ClusterReport {
  server: string;
  namespace: string;
  checks: ClusterCheck[];
  summary: Record<Verdict, number>;
}
