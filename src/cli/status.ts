// gpuvm status [VM] [-o wide|json|yaml]: which mode runs, its phase, node, IP, GPU and since when.
import type { Command } from "commander";
import { stringify } from "yaml";
import { collectStatus, formatStatus } from "../cluster/status.js";
import { requireLabVm } from "../cluster/vm-lookup.js";
import { terminalJson } from "../terminal.js";
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
      const vmName = name ? requireLabVm(opened.lab, name).vm.name : undefined;
      const wide = flags.output !== "table";
      const rows = await collectStatus(opened.client, opened.lab, vmName, wide);
      // terminalJson writes the C1 controls a server may put in a name as \u00XX, so the JSON stays
      // valid once stdout escapes what could act on a terminal; YAML double-quotes such strings, where
      // the escapes stdout writes (\x9b) are YAML's own.
      if (flags.output === "json") io.out(`${terminalJson(rows)}\n`);
      else if (flags.output === "yaml") io.out(stringify(rows));
      else io.out(formatStatus(rows, wide));
    });
}
