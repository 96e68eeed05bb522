import type { Host, Lab } from "../../model/lab.js";
import { hostKey } from "../from-host.js";
import { describeFunction } from "../gpus.js";
import { isBridgeRole } from "../pci-address.js";
import type { HostScan } from "../types.js";
import type { DoctorCheck } from "./types.js";

/** Picks the lab host this scan is of: by --host, by host name, or the only one. */
export function pickLabHost(lab: Lab, scan: HostScan, name?: string): Host | DoctorCheck {
  if (name) {
    const host = lab.hosts.find((h) => h.name === name);
    if (host) return host;
    return {
      id: "lab-host",
      verdict: "fail",
      detail: `the lab has no host "${name}" (it has ${lab.hosts.map((h) => h.name).join(", ") || "none"})`,
      fix: "pass --host with one of the lab's host names",
    };
  }
  const own = hostKey(scan.hostname);
  const byName = lab.hosts.find((h) => h.name === own);
  if (byName) return byName;
  const [only] = lab.hosts;
  if (lab.hosts.length === 1 && only) return only;
  return {
    id: "lab-host",
    verdict: "fail",
    detail: `this host is "${own}" and the lab has ${lab.hosts.map((h) => h.name).join(", ") || "no hosts"}`,
    fix: "pass --host NAME to say which lab host this is",
  };
}

/** Whether the lab's GPUs for this host are really here: addresses, ids, and whole IOMMU groups. */
export function checkLabAgainstHost(lab: Lab, scan: HostScan, hostName?: string): DoctorCheck[] {
  const picked = pickLabHost(lab, scan, hostName);
  if (!("gpus" in picked)) return [picked];
  const host = picked;
  const checks: DoctorCheck[] = [];
  const byAddress = new Map(scan.devices.map((d) => [d.address, d]));

  if (host.cpuVendor && scan.cpu.vendor !== "unknown" && host.cpuVendor !== scan.cpu.vendor) {
    checks.push({
      id: "lab-host",
      subject: host.name,
      verdict: "warn",
      detail: `the lab says cpuVendor ${host.cpuVendor}, this host's CPU is ${scan.cpu.vendor}`,
      fix: `set hosts.${host.name}.cpuVendor: ${scan.cpu.vendor} (it picks the IOMMU kernel argument)`,
    });
  }

  for (const gpu of host.gpus) {
    const subject = `${host.name}/${gpu.key}`;
    const problems: string[] = [];
    const present = gpu.functions.filter((fn) => {
      const dev = byAddress.get(fn.address);
      if (!dev) problems.push(`${fn.address} is not on this host`);
      else if (dev.id !== fn.id)
        problems.push(`${fn.address} is ${dev.id ?? "unreadable"} here, the lab says ${fn.id}`);
      return dev !== undefined;
    });
    const groups = new Set(present.map((fn) => byAddress.get(fn.address)?.iommuGroup ?? null));
    if (groups.size > 1)
      problems.push(`its functions sit in different IOMMU groups (${[...groups].join(", ")})`);
    const groupId = [...groups][0] ?? null;
    const group = groupId === null ? undefined : scan.iommuGroups.find((g) => g.id === groupId);
    let missing: string[] = [];
    if (group) {
      const listed = new Set(gpu.functions.map((fn) => fn.address));
      missing = group.endpoints.filter(
        (a) => !listed.has(a) && !isBridgeRole(byAddress.get(a)?.role ?? "other"),
      );
      if (missing.length) {
        const names = missing.map((a) => {
          const d = byAddress.get(a);
          return d ? describeFunction(d) : a;
        });
        problems.push(`IOMMU group ${group.id} also holds ${names.join(", ")}, which the lab does not list`);
      }
    } else if (present.length) {
      problems.push("no IOMMU group on this host (IOMMU off?)");
    }
    if (problems.length) {
      checks.push({
        id: "lab-gpu",
        subject,
        verdict: "fail",
        detail: problems.join("; "),
        fix: missing.length
          ? `list every function of the group under hosts.${host.name}.gpus.${gpu.key}.functions (attach: false for one the VM should not get), or regenerate with gpuvm init --from-host`
          : `correct hosts.${host.name}.gpus.${gpu.key} from gpuvm host doctor's output, or regenerate it with gpuvm init --from-host`,
      });
      continue;
    }
    if (gpu.iommuGroup !== undefined && group && gpu.iommuGroup !== group.id) {
      checks.push({
        id: "lab-gpu",
        subject,
        verdict: "warn",
        detail: `the lab says IOMMU group ${gpu.iommuGroup}, the host has group ${group.id} (numbers change with firmware and kernel)`,
        fix: `set iommuGroup: ${group.id}`,
      });
      continue;
    }
    checks.push({
      id: "lab-gpu",
      subject,
      verdict: "ok",
      detail: `${gpu.functions.map((fn) => `${fn.address} ${fn.id}`).join(", ")} match this host; group ${group?.id} is complete`,
    });
  }
  return checks;
}
