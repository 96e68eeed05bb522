/**
 * A real Kubernetes control plane (etcd + kube-apiserver built from the
 * published Go modules) for gpuvm's integration tests. Test code only; see
 * docs/testing.md.
 *
 *   const cluster = await startCluster();
 *   const kc = cluster.kubeConfig("admin");      // or "limited"
 *   const api = strictObjectApi(kc);             // every request fieldValidation=Strict
 *   ...
 *   await cluster.stop();                        // processes, netns and folder gone
 *
 * Tests in the `integration` vitest project get the suite's shared cluster
 * with `await connectCluster(inject("gpuvmCluster"))`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ApiException,
  type Configuration,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
  Watch,
} from "@kubernetes/client-node";
import { stopProcess } from "./process.js";

const here = dirname(fileURLToPath(import.meta.url));

export type ClusterUser = "admin" | "limited";

/** What test/test-cluster/up writes to <dir>/cluster.json (serialisable; passed to tests). */
export type ClusterInfo = {
  /** Temporary folder holding certificates, logs, etcd data and the kubeconfig. */
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Kubeconfig with contexts `admin` (current, system:masters) and `limited`. */
  kubeconfigPath: string;
  /** CA certificate of the server. */
  caFile: string;
  adminToken: string;
  /** Token of user `limited`: get/list/watch on a few resources in `limitedNamespace` only. */
  limitedToken: string;
  limitedNamespace: string;
  etcd: string;
  /** Network namespace for aggregated API servers, or null when it could not be created. */
  aggregation: { netns: string; address: string; hostAddress: string } | null;
  /** PID of the `up` script that owns the processes. */
  upPid: number;
};

export type Cluster = ClusterInfo & {
  /** A fresh KubeConfig for one of the two users. */
  kubeConfig(user?: ClusterUser): KubeConfig;
  /** Stops etcd and kube-apiserver, removes the folder (no-op for a connected cluster). */
  stop(): Promise<void>;
  /**
   * Restarts kube-apiserver (same flags, port and etcd; objects survive) and resolves once it is
   * ready again. Every client connection drops meanwhile. Use a cluster of your own (startCluster):
   * the suite's shared one serves other test files in parallel.
   */
  restartApiServer(timeoutMs?: number): Promise<void>;
};

export type StartOptions = {
  /** Milliseconds to wait for the cluster (includes a first-time build). Default 30 min. */
  timeoutMs?: number;
  /** Skip the network namespace for aggregated APIs. */
  noAggregation?: boolean;
  /** Receives the `up` script's log lines (stderr). */
  log?: (line: string) => void;
};

function withHelpers(info: ClusterInfo, stop: () => Promise<void>): Cluster {
  return {
    ...info,
    kubeConfig(user: ClusterUser = "admin"): KubeConfig {
      const kc = new KubeConfig();
      kc.loadFromFile(info.kubeconfigPath);
      kc.setCurrentContext(user);
      return kc;
    },
    stop,
    async restartApiServer(timeoutMs = 120_000): Promise<void> {
      const counter = resolve(info.dir, "kube-apiserver.restarts");
      const count = () => (existsSync(counter) ? Number(readFileSync(counter, "utf8").trim()) : 0);
      const before = count();
      process.kill(info.upPid, "SIGUSR1");
      const deadline = Date.now() + timeoutMs;
      while (count() <= before) {
        if (Date.now() > deadline) throw new Error(`kube-apiserver did not restart within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Starts a new cluster (builds kube-apiserver first if it is not cached). */
export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const args = [resolve(here, "up"), "--parent-pid", String(process.pid)];
  if (opts.noAggregation) args.push("--no-aggregation");
  // detached: the script leads its own process group, so a Ctrl-C in the
  // terminal reaches it only through stop() and teardown stays ordered.
  const child = spawn("bash", args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const logTail = tailStderr(child, opts.log);
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const infoPath = await readyLine(child, exited, opts.timeoutMs ?? 1_800_000, logTail).catch(async (e) => {
    await stopChild(child, exited);
    throw e;
  });
  const info = JSON.parse(readFileSync(infoPath, "utf8")) as ClusterInfo;
  let stopped: Promise<void> | undefined;
  return withHelpers(info, () => {
    stopped ??= stopChild(child, exited).then(() => {
      if (existsSync(info.dir)) throw new Error(`cluster folder ${info.dir} still exists after stop`);
    });
    return stopped;
  });
}

/** The last 60 lines `up` logged (for the error when it fails), each also passed to `log`. */
function tailStderr(child: ChildProcess, log?: (line: string) => void): string[] {
  const logTail: string[] = [];
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (!line) continue;
      logTail.push(line);
      if (logTail.length > 60) logTail.shift();
      log?.(line);
    }
  });
  return logTail;
}

/** The cluster.json path `up` prints once the cluster is ready; rejects if it exits or times out first. */
function readyLine(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  logTail: string[],
) {
  return new Promise<string>((res, rej) => {
    let out = "";
    const timer = setTimeout(
      () => rej(new Error(`cluster not ready after ${timeoutMs} ms\n${logTail.join("\n")}`)),
      timeoutMs,
    );
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
      const m = /GPUVM_CLUSTER_READY (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(
        new Error(
          `test/test-cluster/up exited with ${code} before the cluster was ready\n${logTail.join("\n")}`,
        ),
      );
    });
  });
}

function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  return stopProcess(child, exited, 20_000);
}

/** A cluster started elsewhere (e.g. by the vitest global setup). stop() does nothing. */
export function connectCluster(info: ClusterInfo): Cluster {
  return withHelpers(info, async () => {});
}

/**
 * A KubernetesObjectApi whose every request carries `fieldValidation=Strict`,
 * so an unknown or duplicate field is an error from the server, not a warning.
 */
export function strictObjectApi(kc: KubeConfig): KubernetesObjectApi {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const config: Configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx: RequestContext) => {
          ctx.setQueryParam("fieldValidation", "Strict");
          return ctx;
        },
        post: async (ctx: ResponseContext) => ctx,
      },
    ],
  });
  return new KubernetesObjectApi(config);
}

/** Status code and message of a failed API call (the server's own message). */
export function apiError(e: unknown): { code: number; message: string; reason?: string } {
  if (e instanceof ApiException) {
    let body: unknown = e.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        body = { message: body };
      }
    }
    const status = body as { message?: string; reason?: string } | undefined;
    return {
      code: e.code,
      message: status?.message ?? String(e.body),
      ...(status?.reason ? { reason: status.reason } : {}),
    };
  }
  throw e;
}

export type RawResponse = { status: number; body: unknown; text: string };

/**
 * One request to the API server with the kubeconfig's credentials, bypassing
 * client-node's typed models (which drop fields they do not know, e.g. the
 * `x-kubernetes-*` keys of a raw CRD object). `body` is sent as JSON unless it
 * is a string.
 */
export async function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const url = new URL(path, cluster.server);
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const opts: RequestOptions = {
    method,
    headers: {
      Accept: "application/json",
      ...(payload !== undefined
        ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }
        : {}),
    },
  };
  await kc.applyToHTTPSOptions(opts);
  return new Promise<RawResponse>((res, rej) => {
    const req = httpsRequest(url, opts, (resp) => {
      const chunks: Buffer[] = [];
      resp.on("data", (c: Buffer) => chunks.push(c));
      resp.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        res({ status: resp.statusCode ?? 0, body: parsed, text });
      });
      resp.on("error", rej);
    });
    req.on("error", rej);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * A watch that re-establishes itself until stop() (like an informer would), and
 * resolves only once the server has sent the existing objects and the
 * `k8s.io/initial-events-end` bookmark (watch-list), so nothing that happens
 * after the call can be missed. A fresh API server answers the first watch on a
 * resource with 429 while its watch cache initialises; that is retried. After a
 * re-connect the server replays existing objects as ADDED events.
 */
export async function keepWatching<T = unknown>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: (type: string, obj: T) => void,
  timeoutMs = 30_000,
): Promise<{ stop(): void }> {
  let stopped = false;
  let current: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((res) => {
    markSynced = res;
  });
  const watch = new Watch(kc);
  const open = async (): Promise<void> => {
    if (stopped) return;
    current = await watch.watch(
      path,
      { ...query, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: true },
      (type, obj: T) => {
        if (stopped) return;
        if (type === "BOOKMARK") return void (endsInitialEvents(obj) && markSynced());
        onEvent(type, obj);
      },
      () => {
        if (!stopped) timer = setTimeout(() => void open().catch(() => undefined), 100);
      },
    );
  };
  const handle = {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      current?.abort();
    },
  };
  await open();
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs).unref());
  if ((await Promise.race([synced, timeout])) === "timeout") {
    handle.stop();
    throw new Error(`watch ${path} did not sync within ${timeoutMs} ms`);
  }
  return handle;
}

/** The bookmark a watch-list sends once it has replayed the existing objects. */
function endsInitialEvents(bookmark: unknown): boolean {
  const { metadata } = bookmark as { metadata?: { annotations?: Record<string, string> } };
  return metadata?.annotations?.["k8s.io/initial-events-end"] === "true";
}

let namespaceCounter = 0;

/**
 * Creates a namespace with a unique name (`<prefix>-<pid>-<n>`) and returns the
 * name. The test cluster runs no namespace controller, so tests use a fresh
 * namespace each rather than deleting (a deleted namespace stays Terminating).
 */
export async function testNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${process.pid}-${++namespaceCounter}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}
