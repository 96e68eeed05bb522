// Which cluster, user and namespace a command talks to, chosen as kubectl chooses them:
// --kubeconfig, else KUBECONFIG (a path list, merged), else ~/.kube/config; --context, else the
// kubeconfig's current context; -n/--namespace, else the lab's cluster.namespace, else the context's
// namespace, else "default" (commands that run without a lab file).
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { clientNode } from "./client-node.js";

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface Connection {
  kc: KubeConfig;
  context: string;
  namespace: string;
  server: string;
}

/** A problem with how the user pointed gpuvm at a cluster (the CLI exits 2). */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionError";
  }
}

function kubeconfigFiles(flags: ConnectionFlags, env: NodeJS.ProcessEnv): string[] {
  if (flags.kubeconfig) {
    if (!existsSync(flags.kubeconfig))
      throw new ConnectionError(`--kubeconfig ${flags.kubeconfig}: no such file`);
    return [flags.kubeconfig];
  }
  const fromEnv = (env.KUBECONFIG ?? "").split(delimiter).filter((path) => path !== "");
  if (fromEnv.length > 0) {
    const present = fromEnv.filter((path) => existsSync(path));
    if (present.length === 0)
      throw new ConnectionError(`KUBECONFIG names no file that exists (${env.KUBECONFIG})`);
    return present;
  }
  const fallback = join(env.HOME ?? homedir(), ".kube", "config");
  if (!existsSync(fallback)) {
    throw new ConnectionError(
      "no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config",
    );
  }
  return [fallback];
}

/** Loads the kubeconfig and resolves context and namespace; never prints credentials. */
export async function connect(
  flags: ConnectionFlags,
  labNamespace: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  const files = kubeconfigFiles(flags, env);
  const { KubeConfig } = await clientNode();
  const kc = new KubeConfig();
  // Later files fill in what earlier ones lack; the first file's current context wins (kubectl's rule).
  const [first, ...rest] = files;
  kc.loadFromFile(first as string);
  for (const file of rest) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    // The first file to define a name wins, as with kubectl (client-node's mergeConfig throws instead).
    for (const cluster of more.clusters) if (!kc.getCluster(cluster.name)) kc.addCluster(cluster);
    for (const user of more.users) if (!kc.getUser(user.name)) kc.addUser(user);
    for (const ctx of more.contexts) if (!kc.getContextObject(ctx.name)) kc.addContext(ctx);
    if (!kc.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
  }
  const context = flags.context ?? kc.getCurrentContext();
  if (!context) throw new ConnectionError("the kubeconfig has no current context; pass --context NAME");
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((entry) => entry.name);
    throw new ConnectionError(
      `context "${context}" is not in the kubeconfig (known: ${known.join(", ") || "none"})`,
    );
  }
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConnectionError(`context "${context}" names a cluster the kubeconfig lacks`);
  const namespace = flags.namespace ?? labNamespace ?? kc.getContextObject(context)?.namespace ?? "default";
  return { kc, context, namespace, server: cluster.server };
}
