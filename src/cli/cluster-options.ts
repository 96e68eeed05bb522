// Options every cluster command shares (--kubeconfig, --context, -n/--namespace, --timeout, the lab file)
// and the one step that turns them into a client: kubeconfig, context and namespace resolve the same way
// for every command, whether its lab file is required (apply, start, status) or optional (iso, console,
// vnc, where a VirtualMachine can be named directly).
import { type Command, Option } from "commander";
import { KubeClient } from "../cluster/client.js";
import { type ConnectionFlags, connect } from "../cluster/connect.js";
import { labInNamespace } from "../cluster/objects.js";
import { labVm } from "../cluster/vm-lookup.js";
import { loadModel } from "../model/index.js";
import type { Lab } from "../model/lab.js";
import { UsageError } from "./io.js";
import { labFileOption } from "./options.js";

export interface ClusterFlags extends ConnectionFlags {
  /** The lab file (-f, --file), or the ISO where --lab names the lab (iso attach --file ISO). */
  file?: string;
  lab?: string;
}

/** --kubeconfig, --context and -n/--namespace, as every cluster command reads them. */
function addConnectionOptions(command: Command, namespaceDefault: string): Command {
  return command
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: its current context)")
    .option("-n, --namespace <name>", `namespace (default: ${namespaceDefault})`);
}

/** A command that acts on the lab: -f/--file (or GPUVM_LAB) is required. */
export function addClusterOptions(command: Command): Command {
  return addConnectionOptions(command.addOption(labFileOption()), "the lab's cluster.namespace");
}

/**
 * A command that acts on one VirtualMachine, which the lab file only helps to find. `labFlags` is
 * "--lab <lab>" where -f/--file means something else (iso attach --file ISO).
 */
export function addVmClusterOptions(command: Command, labFlags = "-f, --file <lab>"): Command {
  return addConnectionOptions(
    command.addOption(new Option(labFlags, "lab file (namespace, default modes, storage)").env("GPUVM_LAB")),
    "the lab's, else the context's",
  );
}

export function timeoutOption(fallback: string): Option {
  return new Option("--timeout <duration>", "how long to wait (90s, 5m, 1h)").default(fallback);
}

/** "90s", "5m", "1h", "1m30s" or plain seconds, in milliseconds. */
export function parseDuration(text: string): number {
  const plain = /^\d+(\.\d+)?$/.exec(text);
  if (plain) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const joined = parts.map((part) => part[0]).join("");
  if (parts.length === 0 || joined !== text) {
    throw new UsageError(`--timeout ${text}: expected a duration such as 90s, 5m or 1h`);
  }
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return Math.round(
    parts.reduce((total, part) => total + Number(part[1]) * (unit[part[2] as string] ?? 0), 0),
  );
}

export interface ClusterContext {
  client: KubeClient;
  namespace: string;
  context: string;
  /** The lab placed in the chosen namespace, when a lab file was given. */
  lab?: Lab;
}

export interface Opened extends ClusterContext {
  lab: Lab;
}

/**
 * The one connection path: the lab file (when given) is read first, since its cluster.namespace is the
 * default namespace; a mistake in pointing at the cluster is a usage error (ConnectionError, exit 2).
 */
export async function clusterContext(flags: ClusterFlags, labPath = flags.file): Promise<ClusterContext> {
  const lab = labPath ? await loadModel(labPath) : undefined;
  const connection = await connect(flags, lab?.cluster.namespace);
  return {
    client: new KubeClient(connection.kc),
    namespace: connection.namespace,
    context: connection.context,
    ...(lab ? { lab: labInNamespace(lab, connection.namespace) } : {}),
  };
}

/** A command whose lab file is required (commander enforces -f; this keeps the type honest). */
export async function openCluster(flags: ClusterFlags): Promise<Opened> {
  if (!flags.file) throw new UsageError("this command needs a lab file", "pass -f LAB or set GPUVM_LAB");
  const ctx = await clusterContext(flags);
  return { ...ctx, lab: ctx.lab as Lab };
}

/** The VM a command acts on: the lab's VM, with its default mode and system disk, when the lab knows it. */
export function vmTarget(ctx: ClusterContext, name: string, mode?: string) {
  const found = ctx.lab ? labVm(ctx.lab, name) : undefined;
  const known = found?.vm;
  const systemDisk = known?.disks.find((disk) => disk.boot)?.key;
  // A VirtualMachine name ("gaming-live") names its mode; an explicit --mode still wins.
  const chosen = mode ?? found?.mode?.name;
  return {
    namespace: ctx.namespace,
    vm: known?.name ?? name,
    ...(chosen ? { mode: chosen } : {}),
    ...(known ? { defaultMode: known.defaultMode } : {}),
    ...(systemDisk ? { systemDisk } : {}),
  };
}
