// gpuvm switch VM [--to live|maintenance]: stop the running mode, wait until its instance is gone, start
// the other. Without --to, a VM with two modes goes to the one that does not run; with neither running
// gpuvm asks for --to rather than guess.
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

export async function runSwitch(
  engine: Engine,
  lab: Lab,
  name: string,
  flags: { to?: string; wait?: boolean },
): Promise<void> {
  const { vm } = requireLabVm(lab, name);
  const to = chooseMode(vm, flags.to ? [] : await engine.read(vm), "switch", flags.to);
  await engine.switchTo(vm, to, { wait: Boolean(flags.wait) });
}

export function registerSwitch(program: Command, io: Io): void {
  addClusterOptions(
    program
      .command("switch")
      .description("move a VM to its other mode (the one that does not run), or to --to")
      .argument("<vm>", "VM name"),
  )
    .addOption(
      new Option("--to <mode>", "mode to run (default: the one that does not run now)").choices(MODES),
    )
    .option("-w, --wait", "wait until the new mode runs")
    .addOption(timeoutOption("5m"))
    .action(async (name: string, flags: ClusterFlags & { to?: string; wait?: boolean; timeout: string }) => {
      const opened = await openCluster(flags);
      await runSwitch(lifecycleEngine(opened, io, parseDuration(flags.timeout)), opened.lab, name, flags);
    });
}
