// gpuvm restart VM [--mode M]: stop (waiting until the instance is gone), then start again.
import { type Command, Option } from "commander";
import { findMode, findVm, restart } from "../cluster/lifecycle.js";
import {
  addClusterOptions,
  type ClusterFlags,
  openCluster,
  parseDuration,
  timeoutOption,
} from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleContext, MODES } from "./lifecycle-common.js";

export function registerRestart(program: Command, io: Io): void {
  addClusterOptions(
    program.command("restart").description("stop a VM and start it again").argument("<vm>", "VM name"),
  )
    .addOption(
      new Option("-m, --mode <mode>", "mode to start (default: the one running, else defaultMode)").choices(
        MODES,
      ),
    )
    .option("-w, --wait", "wait until it runs again")
    .addOption(timeoutOption("5m"))
    .action(
      async (name: string, flags: ClusterFlags & { mode?: string; wait?: boolean; timeout: string }) => {
        const opened = await openCluster(flags);
        const found = findVm(opened.lab, name);
        const mode = flags.mode ? findMode(found.vm, flags.mode) : found.mode;
        await restart(lifecycleContext(opened, io, parseDuration(flags.timeout)), found.vm, mode, {
          wait: Boolean(flags.wait),
        });
      },
    );
}
