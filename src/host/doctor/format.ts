import type { DoctorReport, Verdict } from "./types.js";

const LABEL: Record<Verdict, string> = { ok: "ok", warn: "WARN", fail: "FAIL" };

/** Plain-text table: one line per check, its next step indented under it. */
export function formatDoctorReport(report: DoctorReport): string {
  const rows = report.checks.map((c) => ({
    verdict: LABEL[c.verdict],
    check: c.subject ? `${c.id} ${c.subject}` : c.id,
    detail: c.detail,
    fix: c.fix,
  }));
  const w1 = Math.max(7, ...rows.map((r) => r.verdict.length));
  const w2 = Math.max(5, ...rows.map((r) => r.check.length));
  const lines = [`${"VERDICT".padEnd(w1)}  ${"CHECK".padEnd(w2)}  DETAIL`];
  for (const r of rows) {
    lines.push(`${r.verdict.padEnd(w1)}  ${r.check.padEnd(w2)}  ${r.detail}`);
    if (r.fix) lines.push(`${" ".repeat(w1 + w2 + 4)}next: ${r.fix}`);
  }
  const s = report.summary;
  lines.push("", `${report.host ?? "host"}: ${s.ok} ok, ${s.warn} warn, ${s.fail} fail`);
  return `${lines.join("\n")}\n`;
}
