// Cluster options for the ISO and console commands, where the lab file is optional (a VM can be named
// directly); kubeconfig, context and namespace resolve exactly as for the other cluster commands.
import { type Command, Option } from "commander";
import { KubeClient } from "../cluster/client.js";
import type { ConnectionFlags } from "../cluster/connect.js";
import { loadModel } from "../model/index.js";
import type { Lab, Vm } from "../model/lab.js";
import { addConnectionOptions, openConnection } from "./cluster-options.js";

export interface ClusterFlags extends ConnectionFlags {
  /** The lab file (-f, --file; --lab where --file names an ISO). */
  file?: string;
  lab?: string;
}

/** `labFlags` is "--lab <lab>" where -f/--file means something else (iso attach --file ISO). */
export function addClusterOptions(command: Command, labFlags = "-f, --file <lab>"): Command {
  return addConnectionOptions(
    command.addOption(new Option(labFlags, "lab file (namespace, default modes, storage)").env("GPUVM_LAB")),
    "the lab's, else the context's",
  );
}

export interface ClusterContext {
  api: KubeClient;
  namespace: string;
  lab?: Lab;
}

export async function clusterContext(flags: ClusterFlags, labPath = flags.file): Promise<ClusterContext> {
  const lab = labPath ? await loadModel(labPath) : undefined;
  const { kc, namespace } = await openConnection(flags, lab?.cluster.namespace);
  return { api: new KubeClient(kc), namespace, ...(lab ? { lab } : {}) };
}

/** The lab's VM named `name`, also when `name` is one of its VirtualMachines (gaming-live). */
export function labVm(lab: Lab | undefined, name: string): Vm | undefined {
  return lab?.vms.find((vm) => vm.name === name || vm.modes.some((mode) => mode.objectName === name));
}

/** The VM a command acts on: the lab's VM, with its default mode and system disk, when the lab knows it. */
export function vmTarget(ctx: ClusterContext, name: string, mode?: string) {
  const known = labVm(ctx.lab, name);
  const systemDisk = known?.disks.find((disk) => disk.boot)?.key;
  return {
    namespace: ctx.namespace,
    vm: known?.name ?? name,
    ...(mode ? { mode } : {}),
    ...(known ? { defaultMode: known.defaultMode } : {}),
    ...(systemDisk ? { systemDisk } : {}),
  };
}
