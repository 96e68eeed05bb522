// gpuvm console VM: the serial console in this terminal (Ctrl-] leaves).
import type { Command } from "commander";
import { KubeVirtEngine } from "../engine/kubevirt.js";
import { addVmClusterOptions, type ClusterFlags, clusterContext, vmTarget } from "./cluster-options.js";
import type { Io } from "./io.js";

export function registerConsole(program: Command, io: Io): void {
  addVmClusterOptions(
    program
      .command("console")
      .description("open a VM's serial console in this terminal (Ctrl-] to leave)")
      .argument("<vm>", "VM name from the lab (or a VirtualMachine name)")
      .option("--mode <mode>", "live or maintenance (default: the one running, else the lab's default)"),
  ).action(async (vm: string, flags: ClusterFlags & { mode?: string }) => {
    const ctx = await clusterContext(flags);
    // The engine refuses a VM that does not run yet, saying what to run first.
    const why = await new KubeVirtEngine(ctx).openSerial(
      vmTarget(ctx, vm, flags.mode),
      { input: process.stdin, output: process.stdout },
      { report: (line) => io.err(`${line}\r\n`) },
    );
    io.err(why === "escape" ? "\r\nconsole closed\n" : "\r\nthe console closed (VM stopped or restarted)\n");
  });
}
