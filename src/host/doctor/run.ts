import { describeFunction, findGpuGroups, isPassthroughCandidate } from "../gpus.js";
import type { HostScan } from "../types.js";
import { checkDrivers, checkEarlyBinding, checkFramebuffer, checkGroup, checkReset } from "./gpu-checks.js";
import { checkIommu, checkScanIssues, checkVfioModule, checkVirtualization } from "./platform-checks.js";
import { type DoctorCheck, type DoctorReport, summarize } from "./types.js";

export interface DoctorOptions {
  /** Extra checks (e.g. a lab file's GPUs against this host), appended after the host's own. */
  extraChecks?: (scan: HostScan) => DoctorCheck[];
}

/** Runs every host check over a scan. Pure: the scan holds everything it needs. */
export function runDoctor(scan: HostScan, options: DoctorOptions = {}): DoctorReport {
  const checks: DoctorCheck[] = [checkVirtualization(scan), checkIommu(scan), checkVfioModule(scan)];
  const gpus = findGpuGroups(scan);
  if (gpus.length === 0) {
    checks.push({
      id: "gpu",
      verdict: "fail",
      detail: "no GPU for passthrough found (no NVIDIA or AMD display device, none bound to vfio-pci)",
      fix: "check the card is seated and powered, and shows up in lspci",
    });
  }
  for (const g of gpus) {
    checks.push(
      checkGroup(g),
      checkDrivers(g, scan),
      checkFramebuffer(g, scan),
      checkReset(g),
      checkEarlyBinding(g, scan),
    );
  }
  for (const d of scan.devices) {
    if (d.role === "display" && !isPassthroughCandidate(d, scan)) {
      checks.push({
        id: "host-display",
        subject: d.address,
        verdict: "ok",
        detail: `${describeFunction(d)} stays with the host`,
      });
    }
  }
  const issues = checkScanIssues(scan);
  if (issues) checks.push(issues);
  if (options.extraChecks) checks.push(...options.extraChecks(scan));
  return { host: scan.hostname, root: scan.root, checks, summary: summarize(checks) };
}
