// 100 VMs that share one GPU, started at once, in-process: exactly one wins the GPU's Lease each round,
// and every loser names the winner. Then the same GPU named by two labs in two namespaces: one winner
// across both, since the lock is the GPU's, not a lab's.
import { beforeAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/cluster/apply.js";
import { type LifecycleContext, LifecycleError, start, stop } from "../../../src/cluster/lifecycle.js";
import { clusterObjects } from "../../../src/cluster/objects.js";
import { makePlan } from "../../../src/cluster/plan.js";
import { loadModel } from "../../../src/model/index.js";
import type { Lab } from "../../../src/model/lab.js";
import { adminClient, gpuDomainFor, readGpuLease, sharedCluster, uniqueName, writeLab } from "./support.js";

const cluster = sharedCluster();
const client = adminClient(cluster);
const RACERS = 100;
const ROUNDS = 3;

function raceLab(name: string, namespace: string, racers: number, gpuDomain: string): string {
  const vms = Array.from(
    { length: racers },
    (_, index) => `  racer${index}:
    os: linux
    disks: { system: { containerDisk: "quay.io/containerdisks/fedora:40" } }
    modes:
      live: { host: tower1, cpu: 2, memory: 4Gi, gpus: [rtx3080] }
`,
  ).join("");
  return `apiVersion: gpuvm/v1alpha1
kind: Lab
metadata: { name: ${name} }
cluster: { target: kubevirt, namespace: ${namespace}, kubevirt: v1.6.3, cdi: v1.63.1 }
hosts:
  tower1:
    capacity: { cpu: 16, memory: 32Gi }
    gpus:
      rtx3080:
        functions:
          - { address: "${gpuDomain}:09:00.0", id: "10de:2206", resource: nvidia.com/rtx3080, name: gpu-vga }
          - { address: "${gpuDomain}:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio, name: gpu-audio }
vms:
${vms}`;
}

async function appliedLab(text: string): Promise<Lab> {
  const lab = await loadModel(writeLab(text));
  const plan = await makePlan(client, clusterObjects(lab), {
    name: lab.name,
    namespace: lab.cluster.namespace,
  });
  await applyPlan(client, plan, { prune: false, forceConflicts: false });
  return lab;
}

const contextOf = (lab: Lab): LifecycleContext => ({ client, lab, report: () => {}, timeoutMs: 30_000 });

/** Starts every VM of every lab at once; what each start ended with. */
async function raceAll(labs: Lab[]) {
  return Promise.all(
    labs.flatMap((lab) =>
      lab.vms.map((vm) =>
        start(contextOf(lab), vm, vm.modes[0] as (typeof vm.modes)[number], { wait: false }).then(
          () => ({ lab, vm: vm.name, won: true as const }),
          (error: unknown) => ({ lab, vm: vm.name, won: false as const, error }),
        ),
      ),
    ),
  );
}

/** The VirtualMachines of a namespace set to run. */
async function setToRun(namespace: string): Promise<string[]> {
  const vms = await client.list<{ metadata: { name: string }; spec: { runStrategy: string } }>({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    namespace,
  });
  return vms.items.filter((item) => item.spec.runStrategy === "Always").map((item) => item.metadata.name);
}

let lab: Lab;

beforeAll(async () => {
  const name = uniqueName("race");
  lab = await appliedLab(raceLab(name, name, RACERS, gpuDomainFor(name)));
}, 120_000);

describe(`${RACERS} starts racing for one GPU`, () => {
  it(`end with exactly one winner, ${ROUNDS} rounds in a row`, async () => {
    const ns = lab.cluster.namespace;
    for (let round = 1; round <= ROUNDS; round++) {
      const outcomes = await raceAll([lab]);
      const winners = outcomes.filter((outcome) => outcome.won);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]?.vm as string;
      for (const outcome of outcomes.filter((candidate) => !candidate.won)) {
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(LifecycleError);
        expect((error as Error).message).toBe(
          `GPU rtx3080 on tower1 is held by ${ns}/${winner}-live; stop it first: gpuvm stop ${winner}`,
        );
      }
      // The cluster agrees: one VM set to run, and it holds the lease.
      expect(await setToRun(ns)).toEqual([`${winner}-live`]);
      expect((await readGpuLease(client, lab))?.spec.holderIdentity).toBe(`${ns}/${winner}-live`);

      // No simulator runs here, so no instance exists: stopping gives the GPU back at once.
      const winnerVm = lab.vms.find((vm) => vm.name === winner);
      if (winnerVm) await stop(contextOf(lab), winnerVm, { wait: true });
      expect(await readGpuLease(client, lab)).toBeUndefined();
    }
  }, 120_000);
});

describe("one GPU named by two labs in two namespaces", () => {
  it("has one winner across both, and losers in the other namespace are told where it runs", async () => {
    // Both labs have the same name (as `gpuvm init` gives every starter) and the same host and slot.
    const name = uniqueName("twin-race");
    const domain = gpuDomainFor(name);
    const labs = [
      await appliedLab(raceLab("homelab", `${name}-a`, 20, domain)),
      await appliedLab(raceLab("homelab", `${name}-b`, 20, domain)),
    ];
    const outcomes = await raceAll(labs);
    const winners = outcomes.filter((outcome) => outcome.won);
    expect(winners).toHaveLength(1);
    const winner = winners[0] as (typeof winners)[number];
    const winnerNs = winner.lab.cluster.namespace;
    for (const outcome of outcomes.filter((candidate) => !candidate.won)) {
      const hint =
        outcome.lab === winner.lab
          ? `gpuvm stop ${winner.vm}`
          : `virtctl stop ${winner.vm}-live -n ${winnerNs}`;
      expect(((outcome as { error: unknown }).error as Error).message).toBe(
        `GPU rtx3080 on tower1 is held by ${winnerNs}/${winner.vm}-live; stop it first: ${hint}`,
      );
    }
    const running = [
      ...(await setToRun(`${name}-a`)).map((vm) => `${name}-a/${vm}`),
      ...(await setToRun(`${name}-b`)).map((vm) => `${name}-b/${vm}`),
    ];
    expect(running).toEqual([`${winnerNs}/${winner.vm}-live`]);
    // Both labs read one lease.
    expect((await readGpuLease(client, labs[0] as Lab))?.metadata.uid).toBe(
      (await readGpuLease(client, labs[1] as Lab))?.metadata.uid,
    );
  }, 120_000);
});
