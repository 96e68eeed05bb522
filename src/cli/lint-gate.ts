// Lint as a gate in front of validate and render: findings go to stderr; errors stop the command
// before it writes anything to stdout.
import { formatFindings } from "../lint/format.js";
import { hasErrors, type LintReport, runLint } from "../lint/run.js";
import type { Lab } from "../model/lab.js";
import { type Io, QuietExit } from "./io.js";

export function lintGate(lab: Lab, io: Io, options: { target?: string; strict?: boolean }): LintReport {
  const report = runLint(lab, options);
  if (report.findings.length > 0) io.err(formatFindings(report.findings));
  if (hasErrors(report)) throw new QuietExit(1);
  return report;
}
