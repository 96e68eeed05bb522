// gpuvm host scan|doctor|plan|bind|unbind: look at a GPU host and move its GPU to vfio-pci and back.
import { type Command, Option } from "commander";
import { formatDoctorReport } from "../host/doctor/format.js";
import { checkLabAgainstHost } from "../host/doctor/lab-checks.js";
import { runDoctor } from "../host/doctor/run.js";
import { HostUserError } from "../host/errors.js";
import { scanHost } from "../host/scan.js";
import type { HostScan } from "../host/types.js";
import { applyPlan } from "../host/vfio/apply.js";
import { formatPlan } from "../host/vfio/format.js";
import { inspectHost } from "../host/vfio/inspect.js";
import { planBind, planUnbind, type VfioPlan } from "../host/vfio/plan.js";
import { readState } from "../host/vfio/state.js";
import { loadModel } from "../model/index.js";
import type { Io } from "./io.js";
import { outputOption } from "./options.js";

const rootOption = () =>
  new Option("--root <dir>", "treat DIR as / (a copy of another host's /sys, /proc, /etc)").default("/");

function formatScan(scan: HostScan): string {
  const lines = [
    `${scan.hostname ?? "host"}: ${scan.cpu.vendor} CPU, ${scan.cpu.logicalCpus} logical CPUs, ${scan.devices.length} PCI functions, ${scan.iommuGroups.length} IOMMU groups`,
    `${"ADDRESS".padEnd(13)} ${"ID".padEnd(9)} ${"GROUP".padEnd(5)} ${"DRIVER".padEnd(14)} NAME`,
  ];
  for (const d of scan.devices) {
    const name = d.deviceName ?? d.className ?? "";
    lines.push(
      `${d.address.padEnd(13)} ${(d.id ?? "?").padEnd(9)} ${String(d.iommuGroup ?? "-").padEnd(5)} ${(d.driver ?? "-").padEnd(14)} ${name}`,
    );
  }
  for (const i of scan.issues) lines.push(`could not read ${i.path}: ${i.reason}`);
  return `${lines.join("\n")}\n`;
}

function printPlan(io: Io, plan: VfioPlan, root: string, json: boolean) {
  io.out(json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, root));
}

/** A refused plan ends the command with exit 1, after the plan has said why. */
function refuse(plan: VfioPlan) {
  if (plan.refusals.length) throw new HostUserError(`refusing to ${plan.action} ${plan.target} (see above)`);
}

/**
 * bind and unbind: print the plan, stop if it is refused, and perform it only with --apply; `outcome`
 * words the result from the number of writes done.
 */
function showOrApply(
  io: Io,
  plan: VfioPlan,
  flags: { root: string; apply?: boolean },
  outcome: (written: number) => string,
) {
  printPlan(io, plan, flags.root, false);
  refuse(plan);
  if (!flags.apply) {
    io.out("\n(plan only: add --apply to perform it)\n");
    return;
  }
  const result = applyPlan(plan, { root: flags.root });
  io.out(`\n${outcome(result.written)}\n`);
}

export function registerHost(program: Command, io: Io): void {
  const host = program.command("host").description("scan a GPU host, check it, and bind its GPU to vfio-pci");

  host
    .command("scan")
    .description("list PCI functions, IOMMU groups and drivers")
    .addOption(rootOption())
    .addOption(outputOption(["text", "json"], "text"))
    .action((flags: { root: string; output: string }) => {
      const scan = scanHost({ root: flags.root });
      io.out(flags.output === "json" ? `${JSON.stringify(scan, null, 2)}\n` : formatScan(scan));
    });

  host
    .command("doctor")
    .description("check virtualisation, IOMMU, GPU groups, drivers, reset and early binding, with next steps")
    .addOption(rootOption())
    .addOption(outputOption(["text", "json"], "text"))
    .option("-f, --file <lab>", "also check the lab file's GPUs for this host against the hardware")
    .option("--host <name>", "which lab host this is (default: by host name, or the lab's only host)")
    .action(async (flags: { root: string; output: string; file?: string; host?: string }) => {
      const scan = scanHost({ root: flags.root });
      const lab = flags.file ? await loadModel(flags.file) : undefined;
      const report = runDoctor(
        scan,
        lab ? { extraChecks: (s) => checkLabAgainstHost(lab, s, flags.host) } : {},
      );
      io.out(flags.output === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
      if (report.summary.fail > 0) {
        throw new HostUserError(
          `${report.host ?? "host"} is not ready: ${report.summary.fail} check(s) failed`,
        );
      }
    });

  host
    .command("plan")
    .description("print how a GPU card would be moved to vfio-pci (writes nothing)")
    .argument("<address>", "PCI address of the GPU, e.g. 0000:09:00.0")
    .addOption(rootOption())
    .option("--force", FORCE_BIND)
    .option("--also <address>", ALSO_BIND, collect, [])
    .addOption(outputOption(["text", "json"], "text"))
    .action((address: string, flags: BindFlags & { output: string }) => {
      const plan = planBind(inspectHost(flags.root), address, bindOptions(flags));
      printPlan(io, plan, flags.root, flags.output === "json");
      refuse(plan);
    });

  host
    .command("bind")
    .description("move a GPU card to vfio-pci now (a plan unless --apply)")
    .argument("<address>", "PCI address of the GPU, e.g. 0000:09:00.0")
    .addOption(rootOption())
    .option("--force", FORCE_BIND)
    .option("--also <address>", ALSO_BIND, collect, [])
    .option("--apply", "perform the writes (as root)")
    .action((address: string, flags: BindFlags & { apply?: boolean }) => {
      const plan = planBind(inspectHost(flags.root), address, bindOptions(flags));
      showOrApply(io, plan, flags, (written) =>
        written === 0
          ? "nothing to do: every function is already on vfio-pci; nothing was written"
          : `bound: ${written} writes done; gpuvm host unbind ${plan.target} --apply restores the drivers`,
      );
    });

  host
    .command("unbind")
    .description("give back what gpuvm bound in a GPU's IOMMU group (a plan unless --apply)")
    .argument("<address>", "PCI address of the GPU, e.g. 0000:09:00.0")
    .addOption(rootOption())
    .option("--force", "also release the named addresses when gpuvm did not bind them")
    .option(
      "--also <address>",
      "another address of the group to release with --force (repeatable)",
      collect,
      [],
    )
    .option("--apply", "perform the writes (as root)")
    .action((address: string, flags: BindFlags & { apply?: boolean }) => {
      const plan = planUnbind(inspectHost(flags.root), readState(flags.root), address, bindOptions(flags));
      showOrApply(io, plan, flags, (written) =>
        written === 0 ? "nothing to restore; nothing was written" : `restored: ${written} writes done`,
      );
    });
}

interface BindFlags {
  root: string;
  force?: boolean;
  also: string[];
}

const FORCE_BIND =
  "give up the host console on the GPU (boot framebuffer, fbcon); never a disk, a network or a VM";
const ALSO_BIND =
  "a member of the GPU's IOMMU group that is not part of its card and may go too (repeatable); refused while the host uses it";

/** Commander's way to take a flag more than once. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function bindOptions(flags: BindFlags) {
  return { force: flags.force ?? false, also: flags.also };
}
