import type { Check, Verdict } from "../../doctor/check.js";

export { summarize, type Verdict } from "../../doctor/check.js";
export type DoctorCheck = Check;

export interface DoctorReport {
  host: string | null;
  root: string;
  checks: DoctorCheck[];
  summary: Record<Verdict, number>;
}
