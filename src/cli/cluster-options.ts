// Options every cluster command shares (--kubeconfig, --context, -n/--namespace, --timeout) and the
// step that turns them and the lab file into a client.
import { type Command, Option } from "commander";
import { KubeClient } from "../cluster/client.js";
import { type Connection, ConnectionError, type ConnectionFlags, connect } from "../cluster/connect.js";
import { labInNamespace } from "../cluster/objects.js";
import { loadModel } from "../model/index.js";
import type { Lab } from "../model/lab.js";
import { UsageError } from "./io.js";
import { labFileOption } from "./options.js";

export interface ClusterFlags extends ConnectionFlags {
  file: string;
}

/** --kubeconfig, --context and -n/--namespace, as every cluster command reads them. */
export function addConnectionOptions(
  command: Command,
  namespaceDefault = "the lab's cluster.namespace",
): Command {
  return command
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: its current context)")
    .option("-n, --namespace <name>", `namespace (default: ${namespaceDefault})`);
}

export function addClusterOptions(command: Command): Command {
  return addConnectionOptions(command.addOption(labFileOption()));
}

/** The kubeconfig, context and namespace chosen; a mistake in pointing at the cluster is a usage error. */
export async function openConnection(
  flags: ConnectionFlags,
  labNamespace: string | undefined,
): Promise<Connection> {
  try {
    return await connect(flags, labNamespace);
  } catch (error) {
    if (error instanceof ConnectionError) throw new UsageError(error.message);
    throw error;
  }
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

export interface Opened {
  client: KubeClient;
  /** The lab placed in the chosen namespace. */
  lab: Lab;
  namespace: string;
  context: string;
}

export async function openCluster(flags: ClusterFlags): Promise<Opened> {
  const lab = await loadModel(flags.file);
  const connection = await openConnection(flags, lab.cluster.namespace);
  return {
    client: new KubeClient(connection.kc),
    lab: labInNamespace(lab, connection.namespace),
    namespace: connection.namespace,
    context: connection.context,
  };
}
