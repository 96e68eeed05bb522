// gpuvm restart VM [--mode M]: stop (waiting until the instance is gone), then start again.
import { type Command, Option } from "commander";
import { chooseMode } from "../cluster/lifecycle-plan.js";
import { requireLabVm } from "../cluster/vm-lookup.js";
import { timeoutOption } from "./cluster-options.js";
import type { Io } from "./io.js";
import { type LifecycleRun, lifecycleAction, lifecycleCommand, MODES } from "./lifecycle-common.js";

/** Restarts the mode named, else the one that is active, else the default (chooseMode "act-on"). */
export const runRestart: LifecycleRun<{ mode?: string; wait?: boolean }> = async (
  engine,
  lab,
  name,
  flags,
) => {
  const found = requireLabVm(lab, name);
  const mode = chooseMode(found.vm, await engine.read(found.vm), "act-on", flags.mode ?? found.mode?.name);
  await engine.stop(found.vm, { wait: true });
  await engine.start(found.vm, mode, { wait: Boolean(flags.wait) });
};

export function registerRestart(program: Command, io: Io): void {
  lifecycleCommand(program, "restart", "stop a VM and start it again")
    .addOption(
      new Option("-m, --mode <mode>", "mode to start (default: the one running, else defaultMode)").choices(
        MODES,
      ),
    )
    .option("-w, --wait", "wait until it runs again")
    .addOption(timeoutOption("5m"))
    .action(lifecycleAction(io, runRestart));
}
