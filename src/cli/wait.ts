// gpuvm wait VM --for running|stopped [--mode M] [--timeout 5m]: watch until the VM gets there, showing
// its phases and, when it is stuck, why in the cluster's own words.
import { type Command, Option } from "commander";
import { chooseMode, modeNamed } from "../cluster/lifecycle-plan.js";
import { requireLabVm } from "../cluster/vm-lookup.js";
import type { Engine } from "../engine/engine.js";
import type { Lab } from "../model/lab.js";
import { timeoutOption } from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleAction, lifecycleCommand, MODES } from "./lifecycle-common.js";

/** Prints "<object> running" or "<vm> stopped" on stdout once it holds. */
export async function runWait(
  engine: Engine,
  lab: Lab,
  io: Pick<Io, "out">,
  name: string,
  flags: { for: string; mode?: string },
): Promise<void> {
  const found = requireLabVm(lab, name);
  const named = flags.mode ?? found.mode?.name;
  if (flags.for === "running") {
    const mode = chooseMode(found.vm, named ? [] : await engine.read(found.vm), "act-on", named);
    await engine.waitFor(found.vm, mode, "running");
    io.out(`${mode.objectName} running\n`);
    return;
  }
  // Stopped means every mode is gone, unless one was named.
  for (const mode of named ? [modeNamed(found.vm, named)] : found.vm.modes) {
    await engine.waitFor(found.vm, mode, "stopped");
  }
  io.out(`${found.vm.name} stopped\n`);
}

export function registerWait(program: Command, io: Io): void {
  lifecycleCommand(program, "wait", "wait until a VM runs or is stopped")
    .addOption(
      new Option("--for <state>", "state to wait for").choices(["running", "stopped"]).makeOptionMandatory(),
    )
    .addOption(new Option("-m, --mode <mode>", "mode (running: default the one set to run)").choices(MODES))
    .addOption(timeoutOption("5m"))
    .action(
      lifecycleAction(io, (engine, lab, name, flags: { for: string; mode?: string }) =>
        runWait(engine, lab, io, name, flags),
      ),
    );
}
