// How findings are printed: one line per finding with its fix below it, or a stable JSON document
// (documented in docs/lint.md; field order and sorting do not change between runs).
import { safeMessage } from "../config/problem.js";
import { quoteForMessage, terminalJson } from "../terminal.js";
import type { Finding, IgnoredFinding } from "./finding.js";
import type { LintReport } from "./run.js";

/**
 * Two lines: the finding and its fix. Messages quote names and values from the lab file (a MAC, a
 * domain, a lint.ignore key), so both lines are made terminal-safe: control characters and line
 * breaks are shown escaped and cannot rewrite the user's terminal or fake another finding; a value
 * megabytes long is clipped.
 */
export function formatFinding(finding: Finding): string {
  const where = `${safeMessage(finding.file)}:${finding.line}:${finding.col}`;
  return `${where}: ${finding.severity} ${finding.id}: ${safeMessage(finding.message)}\n  fix: ${safeMessage(finding.fix)}\n`;
}

export function formatFindings(findings: Finding[]): string {
  return findings.map(formatFinding).join("");
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function formatSummary(file: string, report: LintReport): string {
  const { errors, warnings, info } = report.summary;
  const ignored = report.ignored.length > 0 ? `, ${report.ignored.length} silenced` : "";
  return `${quoteForMessage(file)}: ${plural(errors, "error")}, ${plural(warnings, "warning")}, ${info} info${ignored}\n`;
}

function jsonFinding(finding: Finding) {
  return {
    id: finding.id,
    severity: finding.severity,
    message: finding.message,
    fix: finding.fix,
    location: { file: finding.file, line: finding.line, col: finding.col },
    path: finding.path,
    vm: finding.vm ?? null,
  };
}

export function toJson(report: LintReport): string {
  const document = {
    findings: report.findings.map(jsonFinding),
    ignored: report.ignored.map((finding: IgnoredFinding) => ({
      ...jsonFinding(finding),
      reason: finding.reason,
    })),
    summary: report.summary,
  };
  // terminalJson: the same JSON, with DEL and the C1 controls (a one-byte CSI) written escaped.
  return `${terminalJson(document)}\n`;
}
