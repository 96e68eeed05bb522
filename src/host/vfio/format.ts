import * as path from "node:path";
import type { VfioPlan } from "./plan.js";

/** The plan as the shell commands it amounts to, so it can be read, or run by hand. */
export function formatPlan(plan: VfioPlan, root: string): string {
  const lines: string[] = [];
  const group = plan.group === null ? "no IOMMU group" : `IOMMU group ${plan.group}`;
  lines.push(`${plan.action} ${plan.target} (${group})`);
  for (const f of plan.functions) {
    lines.push(`  ${f.address} ${f.id ?? "?"}: ${f.from ?? "no driver"} -> ${f.to ?? "kernel's choice"}`);
  }
  for (const r of plan.refusals) lines.push(`refused: ${r}`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  if (plan.writes.length) {
    lines.push("", "writes, in order:");
    for (const w of plan.writes) {
      const value = w.value === "\n" ? "" : ` ${w.value}`;
      lines.push(`  echo${value} > ${path.join(root, w.path)}    # ${w.why}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
