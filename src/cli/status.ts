// gpuvm status [VM] [-o wide|json|yaml]: which mode runs, its phase, node, IP, GPU and since when.
import type { Command } from "commander";
import { stringify } from "yaml";
import { findVm } from "../cluster/lifecycle.js";
import { collectStatus, formatStatus } from "../cluster/status.js";
import { addClusterOptions, type ClusterFlags, openCluster } from "./cluster-options.js";
import type { Io } from "./io.js";
import { outputOption } from "./options.js";

export function registerStatus(program: Command, io: Io): void {
  addClusterOptions(
    program.command("status").description("show the lab's VMs on the cluster").argument("[vm]", "one VM"),
  )
    .addOption(outputOption(["table", "wide", "json", "yaml"], "table"))
    .action(async (name: string | undefined, flags: ClusterFlags & { output: string }) => {
      const opened = await openCluster(flags);
      const vmName = name ? findVm(opened.lab, name).vm.name : undefined;
      const wide = flags.output !== "table";
      const rows = await collectStatus(opened.client, opened.lab, vmName, wide);
      if (flags.output === "json") io.out(`${JSON.stringify(rows, null, 2)}\n`);
      else if (flags.output === "yaml") io.out(stringify(rows));
      else io.out(formatStatus(rows, wide));
    });
}
