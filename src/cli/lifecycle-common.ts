// What start/stop/restart/switch/wait share: the `gpuvm <command> <vm>` shape with the lab and connection
// options, and the engine they act through (KubeVirt, reached with the cluster flags), with progress on
// stderr so stdout stays for results. Each command keeps only its own options and decisions.
import type { Command } from "commander";
import type { Engine } from "../engine/engine.js";
import { KubeVirtEngine } from "../engine/kubevirt.js";
import type { Lab } from "../model/lab.js";
import { addClusterOptions, type ClusterFlags, openCluster, parseDuration } from "./cluster-options.js";
import type { Io } from "./io.js";

/** The flags every lifecycle command reads before its own: the cluster's and --timeout. */
export type LifecycleFlags = ClusterFlags & { timeout: string };

/** A command's decisions on any engine (tests pass an in-memory one). */
export type LifecycleRun<F> = (engine: Engine, lab: Lab, name: string, flags: F) => Promise<void>;

/** `gpuvm <name> <vm>` with -f and the connection options; the command adds its own after them. */
export function lifecycleCommand(program: Command, name: string, description: string): Command {
  return addClusterOptions(program.command(name).description(description).argument("<vm>", "VM name"));
}

/** The action: connect as the flags say, then run the command's decisions on the KubeVirt engine. */
export function lifecycleAction<F>(io: Io, run: LifecycleRun<F>) {
  return async (name: string, flags: LifecycleFlags & F): Promise<void> => {
    const opened = await openCluster(flags);
    const engine = new KubeVirtEngine({
      client: opened.client,
      namespace: opened.namespace,
      lab: opened.lab,
      timeoutMs: parseDuration(flags.timeout),
      report: (line) => io.err(`${line}\n`),
    });
    await run(engine, opened.lab, name, flags);
  };
}

// The modes offered as option choices: the lab file's list.
export { MODES } from "../config/modes.js";
