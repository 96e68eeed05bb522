// Exclusive claims, one coordination.k8s.io/v1 Lease each: one per physical GPU, held by the running VM
// that passes it, and one per lab VM, held by its running mode.
//
// A GPU is one thing on one host whichever lab or namespace names it, so its lease lives in one namespace
// per cluster (LOCK_NAMESPACE), named by a hash of the host and the GPU's PCI slot; the readable parts are
// annotations. The holder is "<namespace>/<VirtualMachine>", so holders in two namespaces never mix.
//
// Creating a Lease is atomic: of two starts racing for one claim exactly one creates it. Every later
// write is guarded by resourceVersion. A claim is free again when its holder does not run:
//   - confirmed (the holder set itself to run after taking the lease): free as soon as the holder's VM
//     is not running;
//   - not yet confirmed (the holder took it and has not started its VM yet, or crashed in between): free
//     once this machine has seen the lease unchanged for its whole duration (stale.ts) and the holder
//     still does not run. No clock of another machine is read.
import { createHash } from "node:crypto";
import type { Gpu } from "../model/lab.js";
import { LABEL_MANAGED_BY, LOCK_NAMESPACE, MANAGER } from "../render/labels.js";
import type { KubeClient, KubeObjectJson } from "./client.js";
import { ClusterError } from "./errors.js";
import { observeUnchanged } from "./stale.js";

export { LOCK_NAMESPACE };

/**
 * Seconds an unconfirmed lease is protected although its holder does not run yet: the holder takes the
 * lease first and sets runStrategy next, and a takeover in between would give the GPU to two VMs.
 */
export const START_GRACE_SECONDS = 30;

export const GPU_HOST_ANNOTATION = "gpuvm.io/gpu-host";
export const GPU_ADDRESS_ANNOTATION = "gpuvm.io/gpu-address";
/** Set by the holder once its VM is set to run. */
export const CONFIRMED_ANNOTATION = "gpuvm.io/confirmed";

export interface Claim {
  namespace: string;
  /** Lease name. */
  name: string;
  /** What the lease guards, for messages ("GPU rtx3080 on tower1", "VM gaming"). */
  what: string;
  /** Readable identity of what is guarded, on the lease for kubectl users. */
  annotations: Record<string, string>;
}

/** The PCI slot that names a GPU: its lowest function address (all functions share the slot). */
export function gpuAddress(gpu: Pick<Gpu, "functions">): string {
  const addresses = gpu.functions.map((fn) => fn.address).sort();
  return addresses[0] ?? "";
}

/**
 * "gpuvm-gpu-" and 40 hex digits of SHA-256 over the JSON pair [host, address]: JSON keeps the pair
 * unambiguous, so two GPUs share a name only if they share host and slot (tower-1/gpu and tower/1-gpu
 * do not).
 */
export function gpuLeaseName(gpu: Pick<Gpu, "host" | "functions">): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([gpu.host, gpuAddress(gpu)]))
    .digest("hex");
  return `gpuvm-gpu-${digest.slice(0, 40)}`;
}

/** VM names are DNS labels, so the prefix alone keeps this injective within the lab's namespace. */
export function vmLeaseName(vm: string): string {
  return `gpuvm-vm-${vm}`;
}

export function gpuClaim(gpu: Pick<Gpu, "host" | "key" | "functions">): Claim {
  return {
    namespace: LOCK_NAMESPACE,
    name: gpuLeaseName(gpu),
    what: `GPU ${gpu.key} on ${gpu.host}`,
    annotations: { [GPU_HOST_ANNOTATION]: gpu.host, [GPU_ADDRESS_ANNOTATION]: gpuAddress(gpu) },
  };
}

export function vmClaim(namespace: string, vm: string): Claim {
  return { namespace, name: vmLeaseName(vm), what: `VM ${vm}`, annotations: {} };
}

/** "<namespace>/<VirtualMachine>": who holds a claim. */
export function holderId(namespace: string, objectName: string): string {
  return `${namespace}/${objectName}`;
}

export function parseHolder(holder: string): { namespace: string; name: string } | undefined {
  const [namespace, name, ...rest] = holder.split("/");
  if (!namespace || !name || rest.length > 0) return undefined;
  return { namespace, name };
}

export interface Lease extends KubeObjectJson {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
  };
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function leaseRef(claim: Claim) {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: claim.namespace,
    name: claim.name,
  };
}

function leaseObject(claim: Claim, holder: string, durationSeconds: number): Lease {
  const now = microTime(new Date());
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: claim.name,
      namespace: claim.namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGER },
      ...(Object.keys(claim.annotations).length > 0 ? { annotations: claim.annotations } : {}),
    },
    // The times are for people reading the lease; gpuvm itself never compares them with its own clock.
    spec: { holderIdentity: holder, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now },
  };
}

/** The same lease given to `holder`, not yet confirmed. */
function handedTo(lease: Lease, holder: string, durationSeconds: number): Lease {
  const now = microTime(new Date());
  const annotations = { ...(lease.metadata.annotations ?? {}) };
  delete annotations[CONFIRMED_ANNOTATION];
  return {
    ...lease,
    metadata: { ...lease.metadata, annotations },
    spec: {
      ...lease.spec,
      holderIdentity: holder,
      leaseDurationSeconds: durationSeconds,
      acquireTime: now,
      renewTime: now,
    },
  };
}

export type AcquireResult = { ok: true } | { ok: false; holder: string; claim: Claim; lease: Lease };

export interface ClaimContext {
  client: KubeClient;
  /**
   * Whether the VM a holder names runs (set to run, or its instance still exists). A holder this user
   * may not read counts as running: gpuvm cannot tell, so it does not take the GPU.
   */
  isRunning(holder: string): Promise<boolean>;
  /** Said while waiting for an unconfirmed lease to go stale. */
  report?: (line: string) => void;
  /** Ends the wait for a stale lease (a cancelled start). */
  signal?: AbortSignal;
}

const isConflict = (error: unknown) => error instanceof ClusterError && (error.conflict || error.notFound);

/** Creates LOCK_NAMESPACE when the first GPU lease of the cluster finds it missing. */
async function ensureNamespace(client: KubeClient, namespace: string): Promise<void> {
  try {
    await client.create({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, labels: { [LABEL_MANAGED_BY]: MANAGER } },
    });
  } catch (error) {
    if (!(error instanceof ClusterError && error.conflict)) throw error;
  }
}

async function createLease(ctx: ClaimContext, lease: Lease): Promise<"created" | "exists"> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.client.create(lease);
      return "created";
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      if (error.conflict) return "exists";
      if (error.notFound && attempt === 0 && lease.metadata.namespace === LOCK_NAMESPACE) {
        await ensureNamespace(ctx.client, LOCK_NAMESPACE);
        continue;
      }
      throw error;
    }
  }
}

/** What a start does with a lease it found: take it, leave it to its holder, or watch it first. */
export type LeaseVerdict = "take" | "refuse" | "watch";

/**
 * The takeover rule, given what was read: a lease that is free or already ours is taken; one whose
 * holder runs is refused; a confirmed one whose holder stopped is taken over; an unconfirmed one is
 * taken over only after this machine has seen it unchanged for its whole duration (`watched`) and the
 * holder still does not run.
 */
export function judgeLease(read: {
  current: string;
  holder: string;
  holderRuns: boolean;
  confirmed: boolean;
  watched: boolean;
}): LeaseVerdict {
  if (read.current === "" || read.current === read.holder) return "take";
  if (read.holderRuns) return "refuse";
  if (!read.confirmed && !read.watched) return "watch";
  return "take";
}

/** Takes one claim for `holder`, or reports who holds it. */
export async function acquire(ctx: ClaimContext, claim: Claim, holder: string): Promise<AcquireResult> {
  const grace = START_GRACE_SECONDS;
  const ref = leaseRef(claim);
  for (;;) {
    if ((await createLease(ctx, leaseObject(claim, holder, grace))) === "created") return { ok: true };
    const lease = await ctx.client.get<Lease>(ref);
    if (!lease) continue; // released in between: try to create again
    const current = lease.spec.holderIdentity ?? "";
    const confirmed = lease.metadata.annotations?.[CONFIRMED_ANNOTATION] === "true";
    // Only another holder's VM is read: our own lease (a start run again) is simply rewritten, which
    // moves its resourceVersion, so a takeover judged on the old one fails.
    const runs = async () => current !== "" && current !== holder && (await ctx.isRunning(current));
    let verdict = judgeLease({ current, holder, holderRuns: await runs(), confirmed, watched: false });
    if (verdict === "watch") {
      const seconds = lease.spec.leaseDurationSeconds ?? grace;
      ctx.report?.(`${claim.what}: ${current} took it and does not run yet; waiting up to ${seconds}s\n`);
      const seen = await observeUnchanged(
        () => ctx.client.get<Lease>(ref),
        lease,
        seconds * 1000,
        250,
        ctx.signal,
      );
      if (!seen.unchanged) continue; // the holder wrote (confirmed, released): judge afresh
      verdict = judgeLease({ current, holder, holderRuns: await runs(), confirmed, watched: true });
    }
    if (verdict === "refuse") return { ok: false, holder: current, claim, lease };
    try {
      await ctx.client.replace<Lease>(handedTo(lease, holder, grace));
      return { ok: true };
    } catch (error) {
      // Someone else wrote it first; look again at who holds it now.
      if (!isConflict(error)) throw error;
    }
  }
}

/**
 * Marks the claim as taken for good once the holder is set to run. False when the holder lost it in
 * between (another start judged it stale): the caller must stop again.
 */
export async function confirm(client: KubeClient, claim: Claim, holder: string): Promise<boolean> {
  for (;;) {
    const lease = await client.get<Lease>(leaseRef(claim));
    if (!lease || lease.spec.holderIdentity !== holder) return false;
    if (lease.metadata.annotations?.[CONFIRMED_ANNOTATION] === "true") return true;
    try {
      await client.replace({
        ...lease,
        metadata: {
          ...lease.metadata,
          annotations: { ...(lease.metadata.annotations ?? {}), [CONFIRMED_ANNOTATION]: "true" },
        },
        spec: { ...lease.spec, renewTime: microTime(new Date()) },
      });
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
}

/** Releases a claim if `holder` holds it (someone else's lease is left alone). */
export async function release(client: KubeClient, claim: Claim, holder: string): Promise<boolean> {
  const ref = leaseRef(claim);
  const lease = await client.get<Lease>(ref);
  if (!lease || lease.spec.holderIdentity !== holder) return false;
  try {
    return await client.delete(ref, { resourceVersion: lease.metadata.resourceVersion as string });
  } catch (error) {
    if (error instanceof ClusterError && error.conflict) return false;
    throw error;
  }
}

/** Who holds a claim now (undefined: nobody). */
export async function holderOf(client: KubeClient, claim: Claim): Promise<string | undefined> {
  const lease = await client.get<Lease>(leaseRef(claim));
  return lease?.spec.holderIdentity || undefined;
}
