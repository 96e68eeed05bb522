// gpuvm wait VM --for running|stopped [--mode M] [--timeout 5m]: watch until the VM gets there, showing
// its phases and, when it is stuck, why in the cluster's own words.
import { type Command, Option } from "commander";
import { findMode, findVm, modeToAwait, waitRunning, waitStopped } from "../cluster/lifecycle.js";
import {
  addClusterOptions,
  type ClusterFlags,
  openCluster,
  parseDuration,
  timeoutOption,
} from "./cluster-options.js";
import type { Io } from "./io.js";
import { lifecycleContext, MODES } from "./lifecycle-common.js";

export function registerWait(program: Command, io: Io): void {
  addClusterOptions(
    program.command("wait").description("wait until a VM runs or is stopped").argument("<vm>", "VM name"),
  )
    .addOption(
      new Option("--for <state>", "state to wait for").choices(["running", "stopped"]).makeOptionMandatory(),
    )
    .addOption(new Option("-m, --mode <mode>", "mode (running: default the one set to run)").choices(MODES))
    .addOption(timeoutOption("5m"))
    .action(async (name: string, flags: ClusterFlags & { for: string; mode?: string; timeout: string }) => {
      const opened = await openCluster(flags);
      const ctx = lifecycleContext(opened, io, parseDuration(flags.timeout));
      const found = findVm(opened.lab, name);
      const named = flags.mode ? findMode(found.vm, flags.mode) : found.mode;
      if (flags.for === "running") {
        const mode = await modeToAwait(ctx, found.vm, named);
        await waitRunning(ctx, mode.objectName);
        io.out(`${mode.objectName} running\n`);
        return;
      }
      for (const mode of named ? [named] : found.vm.modes) await waitStopped(ctx, mode.objectName);
      io.out(`${found.vm.name} stopped\n`);
    });
}
