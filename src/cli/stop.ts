// gpuvm stop VM [--no-wait]: stop whichever mode runs; by default waits until its instance is gone and
// then gives back its GPU leases.
import type { Command } from "commander";
import { requireLabVm } from "../cluster/vm-lookup.js";
import { timeoutOption } from "./cluster-options.js";
import type { Io } from "./io.js";
import { type LifecycleRun, lifecycleAction, lifecycleCommand } from "./lifecycle-common.js";

export const runStop: LifecycleRun<{ wait: boolean }> = async (engine, lab, name, flags) => {
  const found = requireLabVm(lab, name);
  // A VirtualMachine name (gaming-live) stops that mode only.
  await engine.stop(found.vm, { wait: flags.wait, ...(found.mode ? { mode: found.mode } : {}) });
};

export function registerStop(program: Command, io: Io): void {
  lifecycleCommand(program, "stop", "stop a VM (whichever mode runs)")
    .option("--no-wait", "return at once; the GPU lease is freed once the instance is gone")
    .addOption(timeoutOption("5m"))
    .action(lifecycleAction(io, runStop));
}
