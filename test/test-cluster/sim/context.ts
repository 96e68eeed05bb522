/**
 * The plumbing every simulated controller shares: reads and writes against the test API server,
 * one reconcile at a time per object, delayed transitions, and error collection.
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  StorageV1Api,
} from "@kubernetes/client-node";

export type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; kind: string; name: string }[];
    deletionTimestamp?: string;
    resourceVersion?: string;
  };
  spec?: any;
  status?: any;
};

export type Api = { group: string; version: string };
export const KV: Api = { group: "kubevirt.io", version: "v1" };
export const CDI: Api = { group: "cdi.kubevirt.io", version: "v1beta1" };

/** The objects the simulator reconciles; each has one reconcile function. */
export type Kind = "vm" | "vmi" | "dv";
export type Reconcile = (ctx: SimContext, ns: string, name: string) => Promise<void>;

export type SimDelays = {
  /** VMI Pending → Scheduling */
  scheduling: number;
  /** VMI Scheduling → Scheduled */
  scheduled: number;
  /** VMI Scheduled → Running */
  running: number;
  /** VM Stopping → VMI deleted (bench/switch.ts times a mode switch with it) */
  stopping: number;
};

/** Milliseconds for each DataVolume phase (no test times them). */
export const STEP_MS = 50;

/** A refusal the simulated API answers with (virtctl's words), not a simulator failure. */
export class SimError extends Error {}

export const isCode = (e: unknown, code: number): boolean => e instanceof ApiException && e.code === code;

/** Runs call; a `code` answer (404 on a read or delete, 409 on a create) means "already so". */
export async function unless<T>(code: number, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (isCode(e, code)) return undefined;
    throw e;
  }
}

/** An ownerReference of a controller, as KubeVirt and CDI set on what they create. */
export function controllerRef(apiVersion: string, kind: string, owner: Obj) {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Equal as JSON whatever the key order (the server returns keys sorted, we write them in our order). */
export function sameJson(a: unknown, b: unknown): boolean {
  const sorted = (_: string, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v;
  return JSON.stringify(a, sorted) === JSON.stringify(b, sorted);
}

export const ownedBy = (o: Obj | undefined, kind: string): boolean =>
  !!o?.metadata.ownerReferences?.some((r) => r.kind === kind);

export class SimContext {
  readonly errors: Error[] = [];
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly storage: StorageV1Api;
  readonly delays: SimDelays;
  closed = false;
  /** The watches' current connections, aborted by close(). */
  readonly aborts: AbortController[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private readonly again = new Map<string, () => Promise<void>>();
  private readonly seen = new Map<string, number>();

  constructor(
    readonly kc: KubeConfig,
    readonly namespace: string | undefined,
    delays: Partial<SimDelays> | undefined,
    private readonly reconcilers: Record<Kind, Reconcile>,
    private readonly logTo?: (msg: string) => void,
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.storage = kc.makeApiClient(StorageV1Api);
    this.delays = { scheduling: 50, scheduled: 50, running: 50, stopping: 50, ...delays };
  }

  close(): void {
    this.closed = true;
    for (const a of this.aborts) a.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  log(msg: string): void {
    this.logTo?.(`[sim] ${msg}`);
  }

  report(e: unknown): void {
    if (this.closed) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.errors.push(err);
    this.log(`error: ${err.message}`);
  }

  later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Reconciles the object of `kind` that `m` names, if it is in scope. */
  kick(kind: Kind, m: { namespace?: string; name: string }): void {
    const ns = m.namespace;
    if (!ns || (this.namespace && ns !== this.namespace)) return;
    this.serialise(`${kind}/${ns}/${m.name}`, () => this.reconcilers[kind](this, ns, m.name));
  }

  /** Runs fn for key, never twice at once; a kick while busy runs it once more afterwards. */
  private serialise(key: string, fn: () => Promise<void>): void {
    if (this.closed) return;
    if (this.busy.has(key)) {
      this.again.set(key, fn);
      return;
    }
    this.busy.add(key);
    void this.drain(key, fn);
  }

  private async drain(key: string, fn: () => Promise<void>): Promise<void> {
    let next: (() => Promise<void>) | undefined = fn;
    while (next && !this.closed) {
      await next().catch((e) => {
        // An optimistic-concurrency conflict is what a real controller meets too: retry.
        if (isCode(e, 409)) this.later(20, () => this.serialise(key, fn));
        else this.report(e);
      });
      next = this.again.get(key);
      this.again.delete(key);
    }
    this.busy.delete(key);
  }

  /** True once `ms` have passed since `key` was first asked about; else re-kicks later. */
  due(key: string, ms: number, rekick: () => void): boolean {
    const first = this.seen.get(key);
    const now = Date.now();
    if (first === undefined) this.seen.set(key, now);
    const elapsed = now - (first ?? now);
    if (elapsed >= ms) return true;
    this.later(ms - elapsed, rekick);
    return false;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }

  get(api: Api, plural: string, ns: string, name: string): Promise<Obj | undefined> {
    return unless(
      404,
      async () =>
        (await this.custom.getNamespacedCustomObject({ ...api, plural, namespace: ns, name })) as Obj,
    );
  }

  async create(api: Api, plural: string, ns: string, body: Obj): Promise<void> {
    await unless(409, () =>
      this.custom.createNamespacedCustomObject({ ...api, plural, namespace: ns, body }),
    );
  }

  async remove(api: Api, plural: string, ns: string, name: string): Promise<void> {
    await unless(404, () =>
      this.custom.deleteNamespacedCustomObject({ ...api, plural, namespace: ns, name }),
    );
  }

  /** A PUT of the whole object as read: its resourceVersion makes a stale write a 409, never a lost update. */
  async replace(api: Api, plural: string, body: Obj, subresource = false): Promise<Obj> {
    const args = { ...api, plural, namespace: body.metadata.namespace ?? "", name: body.metadata.name, body };
    return (await (subresource
      ? this.custom.replaceNamespacedCustomObjectStatus(args)
      : this.custom.replaceNamespacedCustomObject(args))) as Obj;
  }

  /** spec.configuration of the cluster's KubeVirt CR (the first one, as KubeVirt's operator allows one). */
  async kubevirtConfiguration(): Promise<Obj["spec"]> {
    const kvs = (await this.custom.listClusterCustomObject({ ...KV, plural: "kubevirts" })) as {
      items: Obj[];
    };
    return kvs.items[0]?.spec?.configuration;
  }
}
