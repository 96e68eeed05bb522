// gpuvm console VM: the serial console in this terminal (Ctrl-] leaves).
import type { Command } from "commander";
import { runConsole } from "../cluster/console/serial.js";
import { findVm } from "../cluster/vm-lookup.js";
import { quoteForMessage } from "../emit/terminal.js";
import { GpuvmError } from "../errors.js";
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
    const target = vmTarget(ctx, vm, flags.mode);
    const found = await findVm(ctx.client, target);
    const where = quoteForMessage(`${ctx.namespace}/${found.name}`);
    if (!found.instance)
      throw new GpuvmError(`${where} is not running`, { hint: `gpuvm start ${quoteForMessage(target.vm)}` });
    // KubeVirt serves the console of a Running VMI only (anything else is 400 "VMI is not running").
    const phase = found.instance.status?.phase;
    if (phase !== "Running") {
      throw new GpuvmError(`${where} is ${quoteForMessage(phase || "Pending")}, not Running yet`, {
        hint: `gpuvm wait ${quoteForMessage(target.vm)} --for running, then connect again`,
      });
    }
    const why = await runConsole({
      api: ctx.client,
      namespace: ctx.namespace,
      vm: found.name,
      input: process.stdin,
      output: process.stdout,
      log: (line) => io.err(`${line}\r\n`),
    });
    io.err(why === "escape" ? "\r\nconsole closed\n" : "\r\nthe console closed (VM stopped or restarted)\n");
  });
}
