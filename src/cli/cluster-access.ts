// Options of the commands that talk to a cluster, and the context they resolve to (API client, namespace,
// and the lab when one is given), declared once so every cluster command reads the same.
import { type Command, Option } from "commander";
import { chooseNamespace, KubeApi, loadKubeConfig } from "../cluster/kube-request.js";
import { loadModel } from "../model/index.js";
import type { Lab, Vm } from "../model/lab.js";

export interface ClusterFlags {
  /** The lab file (-f, --file; --lab where --file names an ISO). */
  file?: string;
  lab?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** `labFlags` is "--lab <lab>" where -f/--file means something else (iso attach --file ISO). */
export function addClusterOptions(command: Command, labFlags = "-f, --file <lab>"): Command {
  return command
    .addOption(new Option(labFlags, "lab file (namespace, default modes, storage)").env("GPUVM_LAB"))
    .option("--kubeconfig <path>", "kubeconfig (default: $KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("-n, --namespace <ns>", "namespace (default: the lab's, else the context's)");
}

export interface ClusterContext {
  api: KubeApi;
  namespace: string;
  lab?: Lab;
}

export async function clusterContext(flags: ClusterFlags, labPath = flags.file): Promise<ClusterContext> {
  const lab = labPath ? await loadModel(labPath) : undefined;
  const kc = loadKubeConfig({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
  });
  return {
    api: new KubeApi(kc),
    namespace: chooseNamespace(kc, flags.namespace, lab?.cluster.namespace),
    ...(lab ? { lab } : {}),
  };
}

/** The lab's VM named `name`, also when `name` is one of its VirtualMachines (gaming-live). */
export function labVm(lab: Lab | undefined, name: string): Vm | undefined {
  return lab?.vms.find((vm) => vm.name === name || vm.modes.some((mode) => mode.objectName === name));
}
