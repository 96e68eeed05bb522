// gpuvm switch VM [--to live|maintenance]: stop the running mode, wait until its instance is gone, start
// the other. Without --to, a VM with two modes goes to the one that does not run; with neither running
// gpuvm asks for --to rather than guess.
import { type Command, Option } from "commander";
import { findMode, findVm, otherMode, switchMode } from "../cluster/lifecycle.js";
import {
  addClusterOptions,
  type ClusterFlags,
  openCluster,
  parseDuration,
  timeoutOption,
} from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleContext, MODES } from "./lifecycle-common.js";

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
      const { vm } = findVm(opened.lab, name);
      const ctx = lifecycleContext(opened, io, parseDuration(flags.timeout));
      const to = flags.to ? findMode(vm, flags.to) : await otherMode(ctx, vm);
      await switchMode(ctx, vm, to, { wait: Boolean(flags.wait) });
    });
}
