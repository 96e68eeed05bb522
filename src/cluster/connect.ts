// Which cluster, user and namespace a command talks to, chosen as kubectl chooses them:
// --kubeconfig, else KUBECONFIG (a path list, merged), else ~/.kube/config; --context, else the
// kubeconfig's current context; -n/--namespace, else the lab's cluster.namespace, else the context's
// namespace, else "default" (commands that run without a lab file).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { LineCounter, parseDocument } from "yaml";
import { EXIT, GpuvmError } from "../errors.js";
import { quoteForMessage } from "../terminal.js";
import { clientNode } from "./client-node.js";
import { redact, rememberKubeconfigSecrets } from "./secrets.js";

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
export class ConnectionError extends GpuvmError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
  }
}

/**
 * Where a kubeconfig is not YAML, as FILE:LINE:COL and the parser's words, without the parser's
 * excerpt of the file: the lines around a mistake are often the ones holding a token or a key.
 */
function yamlProblem(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (!error) return undefined;
  const { line, col } = lines.linePos(error.pos[0]);
  const said = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+.*$/, "") ?? "";
  return `${file}:${line}:${col}: the kubeconfig is not valid YAML: ${redact(said)}`;
}

/** Loads one kubeconfig file; a file client-node cannot read is reported with its name and place. */
function loadFile(kc: KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (error) {
    const located = yamlProblem(file);
    if (located) throw new ConnectionError(quoteForMessage(located));
    const said = error instanceof Error ? error.message : String(error);
    // client-node's own checks ("clusters[0].name is missing") name the field, not the file.
    throw new ConnectionError(quoteForMessage(`${file}: not a usable kubeconfig: ${redact(said)}`));
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
  loadFile(kc, first as string);
  for (const file of rest) {
    const more = new KubeConfig();
    loadFile(more, file);
    // The first file to define a name wins, as with kubectl (client-node's mergeConfig throws instead).
    for (const cluster of more.clusters) if (!kc.getCluster(cluster.name)) kc.addCluster(cluster);
    for (const user of more.users) if (!kc.getUser(user.name)) kc.addUser(user);
    for (const ctx of more.contexts) if (!kc.getContextObject(ctx.name)) kc.addContext(ctx);
    if (!kc.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
  }
  // Before anything can fail with a message: from here on every credential it holds is kept out of them.
  rememberKubeconfigSecrets(kc);
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
  if (!cluster.server)
    throw new ConnectionError(`cluster "${cluster.name}" of context "${context}" has no server`);
  const namespace = flags.namespace ?? labNamespace ?? kc.getContextObject(context)?.namespace ?? "default";
  return { kc, context, namespace, server: cluster.server };
}
