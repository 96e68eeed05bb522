// Exclusive claims, one coordination.k8s.io/v1 Lease each: one per GPU (held by the running VM object
// that passes it) and one per VM (held by its running mode). Creating a Lease is atomic, so of two
// starts racing for one claim exactly one creates it; the other gets 409 and names the holder.
// A lease whose holder is not running is taken over with an update guarded by resourceVersion.
import type { Gpu } from "../model/lab.js";
import { LABEL_LAB, LABEL_MANAGED_BY, MANAGER } from "../render/labels.js";
import type { KubeClient, KubeObjectJson } from "./client.js";
import { ClusterError } from "./errors.js";

/**
 * Seconds a fresh lease is protected even when its holder does not run yet: the holder takes the lease
 * first and sets runStrategy next, and a takeover in between would give the GPU to two VMs.
 */
export const START_GRACE_SECONDS = 30;

export interface Claim {
  /** Lease name. */
  name: string;
  /** What the lease guards, for messages ("GPU rtx3080 on tower1", "VM gaming"). */
  what: string;
}

/** Lowercase DNS-1123 label text: other characters become "-". */
function dnsPart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function gpuLeaseName(gpu: Pick<Gpu, "host" | "key">): string {
  return `gpuvm-gpu-${dnsPart(gpu.host)}-${dnsPart(gpu.key)}`.slice(0, 253);
}

export function vmLeaseName(vm: string): string {
  return `gpuvm-vm-${dnsPart(vm)}`.slice(0, 253);
}

export function gpuClaim(gpu: Pick<Gpu, "host" | "key">): Claim {
  return { name: gpuLeaseName(gpu), what: `GPU ${gpu.key} on ${gpu.host}` };
}

export function vmClaim(vm: string): Claim {
  return { name: vmLeaseName(vm), what: `VM ${vm}` };
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

function leaseObject(claim: Claim, namespace: string, labName: string, holder: string, now: Date): Lease {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: claim.name,
      namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGER, [LABEL_LAB]: labName },
    },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: START_GRACE_SECONDS,
      acquireTime: microTime(now),
      renewTime: microTime(now),
    },
  };
}

export type AcquireResult = { ok: true } | { ok: false; holder: string; claim: Claim; lease: Lease };

export interface ClaimContext {
  client: KubeClient;
  namespace: string;
  labName: string;
  /** Whether the VM object named by a lease's holder is running (its VMI exists or it is set to run). */
  isRunning(holder: string): Promise<boolean>;
  now?: () => Date;
}

function leaseAgeSeconds(lease: Lease, now: Date): number {
  const stamp = lease.spec.renewTime ?? lease.spec.acquireTime;
  if (!stamp) return Number.POSITIVE_INFINITY;
  return (now.getTime() - Date.parse(stamp)) / 1000;
}

/** Takes one claim for `holder`, or reports who holds it. */
export async function acquire(ctx: ClaimContext, claim: Claim, holder: string): Promise<AcquireResult> {
  const now = ctx.now ?? (() => new Date());
  const ref = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: ctx.namespace,
    name: claim.name,
  };
  for (;;) {
    try {
      await ctx.client.create(leaseObject(claim, ctx.namespace, ctx.labName, holder, now()));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ClusterError && error.conflict)) throw error;
    }
    const lease = await ctx.client.get<Lease>(ref);
    if (!lease) continue; // released in between: try to create again
    const current = lease.spec.holderIdentity ?? "";
    if (current === holder) return { ok: true };
    const stale =
      current === "" ||
      (leaseAgeSeconds(lease, now()) > (lease.spec.leaseDurationSeconds ?? START_GRACE_SECONDS) &&
        !(await ctx.isRunning(current)));
    if (!stale) return { ok: false, holder: current, claim, lease };
    const time = microTime(now());
    try {
      await ctx.client.replace({
        ...lease,
        spec: { ...lease.spec, holderIdentity: holder, acquireTime: time, renewTime: time },
      });
      return { ok: true };
    } catch (error) {
      // 409: someone else took it over first; look again at who holds it now.
      if (!(error instanceof ClusterError && (error.conflict || error.notFound))) throw error;
    }
  }
}

/** Releases a claim if `holder` holds it (someone else's lease is left alone). */
export async function release(ctx: Pick<ClaimContext, "client" | "namespace">, claim: Claim, holder: string) {
  const ref = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: ctx.namespace,
    name: claim.name,
  };
  const lease = await ctx.client.get<Lease>(ref);
  if (!lease || lease.spec.holderIdentity !== holder) return false;
  try {
    return await ctx.client.delete(ref, { resourceVersion: lease.metadata.resourceVersion as string });
  } catch (error) {
    if (error instanceof ClusterError && error.conflict) return false;
    throw error;
  }
}

/** Who holds a claim now (undefined: nobody). */
export async function holderOf(
  client: KubeClient,
  namespace: string,
  claim: Claim,
): Promise<string | undefined> {
  const lease = await client.get<Lease>({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace,
    name: claim.name,
  });
  return lease?.spec.holderIdentity || undefined;
}
