// A GPU lease left behind, judged without reading anyone's clock: a crashed start frees the GPU by itself
// (at once when its holder had started and stopped, after the lease's duration when it never started),
// and a holder that is about to start keeps it whatever its timestamps say.
import { beforeAll, describe, expect, it } from "vitest";
import {
  CONFIRMED_ANNOTATION,
  holderId,
  type Lease,
  LOCK_NAMESPACE,
  microTime,
} from "../../../src/cluster/leases.js";
import { type LifecycleContext, LifecycleError, start } from "../../../src/cluster/lifecycle.js";
import { loadModel } from "../../../src/model/index.js";
import type { Lab } from "../../../src/model/lab.js";
import {
  adminClient,
  freshLab,
  gpuDomainFor,
  gpuLeaseRef,
  gpuvm,
  readGpuLease,
  sharedCluster,
  uniqueName,
} from "./support.js";

const cluster = sharedCluster();
const client = adminClient(cluster);
const DAY_MS = 24 * 3600_000;

// Two labs in two namespaces naming one GPU (same host, same slot).
const domain = gpuDomainFor(uniqueName("lock"));
const mine = freshLab("lock-a", { gpuDomain: domain });
const theirs = freshLab("lock-b", { gpuDomain: domain });
let lab: Lab;
let other: Lab;

beforeAll(async () => {
  for (const each of [mine, theirs]) {
    const applied = await gpuvm(cluster, "admin", "apply", "-f", each.path);
    expect(applied.code, applied.stderr).toBe(0);
  }
  lab = await loadModel(mine.path);
  other = await loadModel(theirs.path);
  if (!(await client.get({ apiVersion: "v1", kind: "Namespace", name: LOCK_NAMESPACE })))
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: LOCK_NAMESPACE } });
});

/** Writes the GPU's lease as another gpuvm left it (its clock `skewMs` off this one's). */
async function leaveLease(holder: string, options: { confirmed: boolean; seconds: number; skewMs: number }) {
  const existing = await readGpuLease(client, lab);
  if (existing) await client.delete(gpuLeaseRef(lab));
  const stamp = microTime(new Date(Date.now() + options.skewMs));
  await client.create({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: gpuLeaseRef(lab).name,
      namespace: LOCK_NAMESPACE,
      ...(options.confirmed ? { annotations: { [CONFIRMED_ANNOTATION]: "true" } } : {}),
    },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: options.seconds,
      acquireTime: stamp,
      renewTime: stamp,
    },
  } as Lease);
}

const vmRef = (namespace: string, name: string) => ({
  apiVersion: "kubevirt.io/v1",
  kind: "VirtualMachine",
  namespace,
  name,
});

async function halt(each: Lab, name: string) {
  await client.mergePatch(vmRef(each.cluster.namespace, name), { spec: { runStrategy: "Halted" } });
}

function startGaming(lines: string[] = []) {
  const ctx: LifecycleContext = { client, lab, report: (line) => lines.push(line), timeoutMs: 30_000 };
  const vm = lab.vms.find((each) => each.name === "gaming");
  if (!vm) throw new Error("no gaming VM");
  return start(ctx, vm, vm.modes.find((mode) => mode.name === "live") as (typeof vm.modes)[number], {
    wait: false,
  });
}

describe("a GPU lease a crashed gpuvm left", () => {
  it("is free at once when its holder had started and is stopped, however fresh its clock says it is", async () => {
    await halt(lab, "gaming-live");
    // Another namespace's VM held it, confirmed, written by a clock a day ahead with an hour's duration.
    const holder = holderId(other.cluster.namespace, "gaming-live");
    await leaveLease(holder, { confirmed: true, seconds: 3600, skewMs: DAY_MS });
    const started = performance.now();
    await startGaming();
    expect(performance.now() - started).toBeLessThan(1500);
    expect((await readGpuLease(client, lab))?.spec.holderIdentity).toBe(
      holderId(lab.cluster.namespace, "gaming-live"),
    );
  });

  it("is free once unchanged for its duration when its holder never started, whatever its clock", async () => {
    await halt(lab, "gaming-live");
    const holder = holderId(other.cluster.namespace, "gaming-compat-live");
    await leaveLease(holder, { confirmed: false, seconds: 2, skewMs: DAY_MS });
    const lines: string[] = [];
    const started = performance.now();
    await startGaming(lines);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
    expect(lines.join("")).toContain(`${holder} took it and does not run yet; waiting up to 2s`);
    expect((await readGpuLease(client, lab))?.spec.holderIdentity).toBe(
      holderId(lab.cluster.namespace, "gaming-live"),
    );
  });
});

describe("a GPU lease whose holder is about to start", () => {
  it("is not taken because its timestamps look old: the holder starts and keeps it", async () => {
    await halt(lab, "gaming-live");
    const holder = holderId(other.cluster.namespace, "gaming-live");
    // Written by a clock a day behind: by timestamps it expired long ago.
    await leaveLease(holder, { confirmed: false, seconds: 5, skewMs: -DAY_MS });
    const attempt = startGaming();
    // The holder finishes its start meanwhile: sets its VM to run and confirms.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await client.mergePatch(vmRef(other.cluster.namespace, "gaming-live"), {
      spec: { runStrategy: "Always" },
    });
    const lease = (await readGpuLease(client, lab)) as Lease;
    await client.replace({
      ...lease,
      metadata: { ...lease.metadata, annotations: { [CONFIRMED_ANNOTATION]: "true" } },
    });
    await expect(attempt).rejects.toThrow(LifecycleError);
    await expect(attempt).rejects.toThrow(
      `GPU rtx3080 on tower1 is held by ${holder}; stop it first: virtctl stop gaming-live -n ${other.cluster.namespace}`,
    );
    expect((await readGpuLease(client, lab))?.spec.holderIdentity).toBe(holder);
    await halt(other, "gaming-live");
  });
});
