// gpuvm start VM [--mode live|maintenance] [--wait]: run one mode of a VM (refused while its other
// mode runs or while another VM holds its GPU).
import { type Command, Option } from "commander";
import { findMode, findVm, start } from "../cluster/lifecycle.js";
import {
  addClusterOptions,
  type ClusterFlags,
  openCluster,
  parseDuration,
  timeoutOption,
} from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleContext, MODES } from "./lifecycle-common.js";

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
        const found = findVm(opened.lab, name);
        const mode = flags.mode
          ? findMode(found.vm, flags.mode)
          : (found.mode ?? findMode(found.vm, undefined));
        await start(lifecycleContext(opened, io, parseDuration(flags.timeout)), found.vm, mode, {
          wait: Boolean(flags.wait),
        });
      },
    );
}
