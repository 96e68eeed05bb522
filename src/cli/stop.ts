// gpuvm stop VM [--no-wait]: stop whichever mode runs; by default waits until its instance is gone and
// then gives back its GPU leases.
import type { Command } from "commander";
import { requireLabVm } from "../cluster/vm-lookup.js";
import type { Engine } from "../engine/engine.js";
import type { Lab } from "../model/lab.js";
import {
  addClusterOptions,
  type ClusterFlags,
  openCluster,
  parseDuration,
  timeoutOption,
} from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleEngine } from "./lifecycle-common.js";

export async function runStop(
  engine: Engine,
  lab: Lab,
  name: string,
  flags: { wait: boolean },
): Promise<void> {
  const found = requireLabVm(lab, name);
  // A VirtualMachine name (gaming-live) stops that mode only.
  await engine.stop(found.vm, { wait: flags.wait, ...(found.mode ? { mode: found.mode } : {}) });
}

export function registerStop(program: Command, io: Io): void {
  addClusterOptions(
    program.command("stop").description("stop a VM (whichever mode runs)").argument("<vm>", "VM name"),
  )
    .option("--no-wait", "return at once; the GPU lease is freed once the instance is gone")
    .addOption(timeoutOption("5m"))
    .action(async (name: string, flags: ClusterFlags & { wait: boolean; timeout: string }) => {
      const opened = await openCluster(flags);
      await runStop(lifecycleEngine(opened, io, parseDuration(flags.timeout)), opened.lab, name, flags);
    });
}
