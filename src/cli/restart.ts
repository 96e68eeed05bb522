// gpuvm restart VM [--mode M]: stop (waiting until the instance is gone), then start again.
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

/** Restarts the mode named, else the one that is active, else the default (chooseMode "act-on"). */
export async function runRestart(
  engine: Engine,
  lab: Lab,
  name: string,
  flags: { mode?: string; wait?: boolean },
): Promise<void> {
  const found = requireLabVm(lab, name);
  const mode = chooseMode(found.vm, await engine.read(found.vm), "act-on", flags.mode ?? found.mode?.name);
  await engine.stop(found.vm, { wait: true });
  await engine.start(found.vm, mode, { wait: Boolean(flags.wait) });
}

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
        await runRestart(lifecycleEngine(opened, io, parseDuration(flags.timeout)), opened.lab, name, flags);
      },
    );
}
