// gpuvm cluster doctor -f lab.yaml [-o json]: is this cluster ready for the lab? (Exit 1 on any fail.)
import type { Command } from "commander";
import { formatClusterReport, runClusterDoctor } from "../cluster/doctor/run.js";
import { terminalJson } from "../terminal.js";
import { addClusterOptions, type ClusterFlags, openCluster } from "./cluster-options.js";
import { EXIT, type Io, QuietExit } from "./io.js";
import { outputOption } from "./options.js";

export function registerCluster(program: Command, io: Io): void {
  const cluster = program.command("cluster").description("look at the cluster the lab runs on");
  addClusterOptions(
    cluster
      .command("doctor")
      .description(
        "check KubeVirt, CDI, feature gates, permitted devices, GPU nodes, storage, network and priorities",
      )
      // Nested commands do not inherit the program's settings: fail through main, print through io.
      .exitOverride()
      .configureOutput({ writeOut: io.out, writeErr: io.err }),
  )
    .addOption(outputOption(["text", "json"], "text"))
    .action(async (flags: ClusterFlags & { output: string }) => {
      const { client, lab } = await openCluster(flags);
      const report = await runClusterDoctor(client, lab);
      io.out(flags.output === "json" ? `${terminalJson(report)}\n` : formatClusterReport(report));
      if (report.summary.fail > 0) throw new QuietExit(EXIT.invalid);
    });
}
