// gpuvm switch VM [--to live|maintenance]: stop the running mode, wait until its instance is gone, start
// the other. Without --to, a VM with two modes goes to the one that does not run; with neither running
// gpuvm asks for --to rather than guess.
import { type Command, Option } from "commander";
import { chooseMode } from "../cluster/lifecycle-plan.js";
import { requireLabVm } from "../cluster/vm-lookup.js";
import { timeoutOption } from "./cluster-options.js";
import type { Io } from "./io.js";
import { type LifecycleRun, lifecycleAction, lifecycleCommand, MODES } from "./lifecycle-common.js";

export const runSwitch: LifecycleRun<{ to?: string; wait?: boolean }> = async (engine, lab, name, flags) => {
  const { vm } = requireLabVm(lab, name);
  const to = chooseMode(vm, flags.to ? [] : await engine.read(vm), "switch", flags.to);
  await engine.switchTo(vm, to, { wait: Boolean(flags.wait) });
};

export function registerSwitch(program: Command, io: Io): void {
  lifecycleCommand(program, "switch", "move a VM to its other mode (the one that does not run), or to --to")
    .addOption(
      new Option("--to <mode>", "mode to run (default: the one that does not run now)").choices(MODES),
    )
    .option("-w, --wait", "wait until the new mode runs")
    .addOption(timeoutOption("5m"))
    .action(lifecycleAction(io, runSwitch));
}
