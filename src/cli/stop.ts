// gpuvm stop VM [--no-wait]: stop whichever mode runs; by default waits until its instance is gone and
// then gives back its GPU leases.
import type { Command } from "commander";
import { findVm, stop } from "../cluster/lifecycle.js";
import {
  addClusterOptions,
  type ClusterFlags,
  openCluster,
  parseDuration,
  timeoutOption,
} from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleContext } from "./lifecycle-common.js";

export function registerStop(program: Command, io: Io): void {
  addClusterOptions(
    program.command("stop").description("stop a VM (whichever mode runs)").argument("<vm>", "VM name"),
  )
    .option("--no-wait", "return at once; the GPU lease is freed once the instance is gone")
    .addOption(timeoutOption("5m"))
    .action(async (name: string, flags: ClusterFlags & { wait: boolean; timeout: string }) => {
      const opened = await openCluster(flags);
      const found = findVm(opened.lab, name);
      await stop(lifecycleContext(opened, io, parseDuration(flags.timeout)), found.vm, {
        wait: flags.wait,
        ...(found.mode ? { mode: found.mode } : {}),
      });
    });
}
