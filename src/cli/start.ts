// gpuvm start VM [--mode live|maintenance] [--wait]: run one mode of a VM (refused while its other
// mode runs or while another VM holds its GPU).
import { type Command, Option } from "commander";
import { chooseMode } from "../cluster/lifecycle-plan.js";
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
import { lifecycleEngine, MODES } from "./lifecycle-common.js";

/** The command's decisions, on any engine: which mode, then the engine's start. */
export async function runStart(
  engine: Engine,
  lab: Lab,
  name: string,
  flags: { mode?: string; wait?: boolean },
): Promise<void> {
  const found = requireLabVm(lab, name);
  const mode = chooseMode(found.vm, [], "start", flags.mode ?? found.mode?.name);
  await engine.start(found.vm, mode, { wait: Boolean(flags.wait) });
}

export function registerStart(program: Command, io: Io): void {
  addClusterOptions(
    program.command("start").description("start a VM in one of its modes").argument("<vm>", "VM name"),
  )
    .addOption(new Option("-m, --mode <mode>", "mode (default: the VM's defaultMode)").choices(MODES))
    .option("-w, --wait", "wait until it runs")
    .addOption(timeoutOption("5m"))
    .action(
      async (name: string, flags: ClusterFlags & { mode?: string; wait?: boolean; timeout: string }) => {
        const opened = await openCluster(flags);
        await runStart(lifecycleEngine(opened, io, parseDuration(flags.timeout)), opened.lab, name, flags);
      },
    );
}
