// gpuvm start VM [--mode live|maintenance] [--wait]: run one mode of a VM (refused while its other
// mode runs or while another VM holds its GPU).
import { type Command, Option } from "commander";
import { chooseMode } from "../cluster/lifecycle-plan.js";
import { requireLabVm } from "../cluster/vm-lookup.js";
import { timeoutOption } from "./cluster-options.js";
import type { Io } from "./io.js";
import { type LifecycleRun, lifecycleAction, lifecycleCommand, MODES } from "./lifecycle-common.js";

/** The command's decisions, on any engine: which mode, then the engine's start. */
export const runStart: LifecycleRun<{ mode?: string; wait?: boolean }> = async (engine, lab, name, flags) => {
  const found = requireLabVm(lab, name);
  const mode = chooseMode(found.vm, [], "start", flags.mode ?? found.mode?.name);
  await engine.start(found.vm, mode, { wait: Boolean(flags.wait) });
};

export function registerStart(program: Command, io: Io): void {
  lifecycleCommand(program, "start", "start a VM in one of its modes")
    .addOption(new Option("-m, --mode <mode>", "mode (default: the VM's defaultMode)").choices(MODES))
    .option("-w, --wait", "wait until it runs")
    .addOption(timeoutOption("5m"))
    .action(lifecycleAction(io, runStart));
}
