// Runs every rule over a Lab and the objects its target renders; applies per-VM silences and --strict.

import { dottedPath } from "../config/problem.js";
import type { Lab } from "../model/lab.js";
import type { KubeObject } from "../render/object.js";
import { findTarget } from "../render/targets/index.js";
import type { Finding, IgnoredFinding, LintFacts, Severity } from "./finding.js";
import { RULES, UNKNOWN_IGNORE_ID } from "./rules/index.js";

export interface LintOptions {
  /** Target whose objects are checked; defaults to the lab's cluster.target. */
  target?: string;
  /** Warnings count as errors. */
  strict?: boolean;
  /** Objects to check instead of rendering the target (tests, and targets rendered elsewhere). */
  objects?: KubeObject[];
  facts?: LintFacts;
}

export interface LintSummary {
  errors: number;
  warnings: number;
  info: number;
}

export interface LintReport {
  findings: Finding[];
  ignored: IgnoredFinding[];
  summary: LintSummary;
}

function byPlace(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.col - b.col ||
    a.id.localeCompare(b.id) ||
    a.message.localeCompare(b.message)
  );
}

export function summarize(findings: Finding[]): LintSummary {
  const count = (severity: Severity) => findings.filter((finding) => finding.severity === severity).length;
  return { errors: count("error"), warnings: count("warning"), info: count("info") };
}

export function runLint(lab: Lab, options: LintOptions = {}): LintReport {
  const target = options.target ?? lab.cluster.target;
  // A target this build cannot render yet still gets every rule over the Lab itself.
  const objects = options.objects ?? findTarget(target)?.render(lab, {}).objects ?? [];
  const context = { lab, target, objects, facts: options.facts ?? {} };

  const findings: Finding[] = [];
  const ignored: IgnoredFinding[] = [];
  const vms = new Map(lab.vms.map((vm) => [vm.name, vm]));
  for (const rule of RULES) {
    for (const hit of rule.check(context)) {
      const severity: Severity = options.strict && rule.severity === "warning" ? "error" : rule.severity;
      const finding: Finding = {
        id: rule.id,
        severity,
        message: hit.message,
        fix: hit.fix,
        ...lab.source.locate(hit.path, hit.key ? { key: true } : {}),
        path: dottedPath(hit.path),
        ...(hit.vm !== undefined ? { vm: hit.vm } : {}),
      };
      const vm = hit.vm === undefined ? undefined : vms.get(hit.vm);
      const reason = rule.id === UNKNOWN_IGNORE_ID ? undefined : vm?.lintIgnore[rule.id];
      if (reason !== undefined) ignored.push({ ...finding, reason });
      else findings.push(finding);
    }
  }
  findings.sort(byPlace);
  ignored.sort(byPlace);
  return { findings, ignored, summary: summarize(findings) };
}

/** The findings that are shown (silenced ones left out), sorted by place in the lab file. */
export function lintLab(lab: Lab, options: LintOptions = {}): Finding[] {
  return runLint(lab, options).findings;
}

export function hasErrors(report: LintReport): boolean {
  return report.summary.errors > 0;
}
