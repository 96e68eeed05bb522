// gpuvm switch VM --to live|maintenance: stop the running mode, wait until its instance is gone, start the other.
import { type Command, Option } from "commander";
import { findMode, findVm, switchMode } from "../cluster/lifecycle.js";
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
    program.command("switch").description("move a VM to its other mode").argument("<vm>", "VM name"),
  )
    .addOption(new Option("--to <mode>", "mode to run").choices(MODES).makeOptionMandatory())
    .option("-w, --wait", "wait until the new mode runs")
    .addOption(timeoutOption("5m"))
    .action(async (name: string, flags: ClusterFlags & { to: string; wait?: boolean; timeout: string }) => {
      const opened = await openCluster(flags);
      const { vm } = findVm(opened.lab, name);
      await switchMode(
        lifecycleContext(opened, io, parseDuration(flags.timeout)),
        vm,
        findMode(vm, flags.to),
        {
          wait: Boolean(flags.wait),
        },
      );
    });
}
