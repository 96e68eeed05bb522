// Waiting on one object with a watch, not a polling loop. The watch starts at the resourceVersion of a
// list, so nothing between the list and the watch is missed. When the connection ends (the API server
// restarted, a timeout, 410 Gone) gpuvm lists again and watches again, backing off while the server is
// unreachable, until the condition holds or the deadline passes.

import { setTimeout as sleep } from "node:timers/promises";
import { GpuvmError } from "../errors.js";
import type { KubeClient, KubeObjectJson } from "./client.js";
import { clientNode } from "./client-node.js";
import { ClusterError, UnreachableError } from "./errors.js";
import { type ObjectRef, objectPath, qualifiedResource, resourceFor } from "./resources.js";

export interface WaitOptions<T> {
  client: KubeClient;
  /** The object (name required). */
  ref: ObjectRef & { name: string };
  /** True when waiting is over; gets undefined while the object does not exist. */
  done(obj: T | undefined): boolean;
  /** Every state seen, first the listed one, then each watch event. */
  onChange?(obj: T | undefined): void;
  /** Called on each re-connect after the first, with the reason. */
  onReconnect?(reason: string): void;
  timeoutMs: number;
  /** Ends the wait at once (a cancelled operation), rejecting with the signal's reason. */
  signal?: AbortSignal;
}

export class WaitTimeoutError<T> extends GpuvmError {
  constructor(
    readonly last: T | undefined,
    timeoutMs: number,
  ) {
    super(`gave up after ${Math.round(timeoutMs / 1000)}s`);
  }
}

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 2_000;

/** Errors worth retrying: the server is away or busy. Anything else (403, 404 of the kind) is final. */
function serverAwayOrBusy(error: unknown): boolean {
  if (error instanceof UnreachableError) return true;
  if (error instanceof ClusterError) return error.code === 429 || error.code >= 500;
  return false;
}

type Ended = { kind: "done" } | { kind: "ended"; reason: string; status?: number };

export async function waitForObject<T extends KubeObjectJson>(
  options: WaitOptions<T>,
): Promise<T | undefined> {
  const { client, ref } = options;
  const deadline = Date.now() + options.timeoutMs;
  const fieldSelector = `metadata.name=${ref.name}`;
  const collection = objectPath({ ...ref, name: undefined });
  let last: T | undefined;
  let backoff = BACKOFF_START_MS;
  let first = true;

  const observe = (obj: T | undefined): boolean => {
    last = obj;
    options.onChange?.(obj);
    return options.done(obj);
  };

  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    let resourceVersion: string | undefined;
    try {
      const list = await client.list<T>(ref, { fieldSelector });
      resourceVersion = list.metadata.resourceVersion;
      if (observe(list.items[0])) return last;
      backoff = BACKOFF_START_MS;
    } catch (error) {
      if (!serverAwayOrBusy(error)) throw error;
      options.onReconnect?.(error instanceof Error ? error.message : String(error));
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      continue;
    }
    if (!first) backoff = BACKOFF_START_MS;
    first = false;

    const { Watch } = await clientNode();
    const ended = await new Promise<Ended>((resolve) => {
      let controller: AbortController | undefined;
      let finished = false;
      const finish = (result: Ended) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", aborted);
        controller?.abort();
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ kind: "ended", reason: "deadline" }),
        Math.max(0, deadline - Date.now()),
      );
      const aborted = () => finish({ kind: "ended", reason: "aborted" });
      options.signal?.addEventListener("abort", aborted, { once: true });
      new Watch(client.kc)
        .watch(
          collection,
          { fieldSelector, resourceVersion, allowWatchBookmarks: true },
          (type, obj: T) => {
            if (finished) return;
            if (type === "BOOKMARK") return;
            if (type === "ERROR") {
              const status = obj as unknown as { code?: number; message?: string };
              finish({ kind: "ended", reason: status.message ?? "watch error", status: status.code });
              return;
            }
            if (observe(type === "DELETED" ? undefined : obj)) finish({ kind: "done" });
          },
          (error: unknown) => {
            const status = (error as { statusCode?: number } | null)?.statusCode;
            finish({
              kind: "ended",
              reason: error instanceof Error ? error.message : "watch closed",
              ...(status ? { status } : {}),
            });
          },
        )
        .then((abort) => {
          controller = abort;
          if (finished) abort.abort();
        })
        .catch((error: unknown) => finish({ kind: "ended", reason: String(error) }));
    });
    if (ended.kind === "done") return last;
    options.signal?.throwIfAborted();
    if (ended.status === 403) {
      const info = resourceFor(ref.apiVersion, ref.kind);
      throw new ClusterError(403, "Forbidden", ended.reason, {
        verb: "watch",
        resource: qualifiedResource(info.apiVersion, info.plural),
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
      });
    }
    if (ended.reason === "deadline") break;
    // 410 Gone: our resourceVersion is too old; list again at once. Anything else: the connection
    // dropped (server restart, idle timeout); list again after a short pause.
    if (ended.status !== 410) {
      options.onReconnect?.(ended.reason);
      await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }
  throw new WaitTimeoutError(last, options.timeoutMs);
}
