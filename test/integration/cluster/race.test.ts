// 100 VMs that share one GPU, started at once, in-process: exactly one wins the GPU's Lease each round,
// and every loser names the winner.
import { beforeAll, describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/cluster/apply.js";
import { LifecycleError, start, stop } from "../../../src/cluster/lifecycle.js";
import { clusterObjects } from "../../../src/cluster/objects.js";
import { makePlan } from "../../../src/cluster/plan.js";
import { loadModel } from "../../../src/model/index.js";
import type { Lab } from "../../../src/model/lab.js";
import { adminClient, sharedCluster, uniqueName, writeLab } from "./support.js";

const cluster = sharedCluster();
const client = adminClient(cluster);
const RACERS = 100;
const ROUNDS = 3;

function raceLab(name: string): string {
  const vms = Array.from(
    { length: RACERS },
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
cluster: { target: kubevirt, namespace: ${name}, kubevirt: v1.6.3, cdi: v1.63.1 }
hosts:
  tower1:
    capacity: { cpu: 16, memory: 32Gi }
    gpus:
      rtx3080:
        functions:
          - { address: "0000:09:00.0", id: "10de:2206", resource: nvidia.com/rtx3080, name: gpu-vga }
          - { address: "0000:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio, name: gpu-audio }
vms:
${vms}`;
}

let lab: Lab;

beforeAll(async () => {
  lab = await loadModel(writeLab(raceLab(uniqueName("race"))));
  const plan = await makePlan(client, clusterObjects(lab), {
    name: lab.name,
    namespace: lab.cluster.namespace,
  });
  await applyPlan(client, plan, { prune: false, forceConflicts: false });
}, 120_000);

describe(`${RACERS} starts racing for one GPU`, () => {
  it(`end with exactly one winner, ${ROUNDS} rounds in a row`, async () => {
    const ctx = { client, lab, report: () => {}, timeoutMs: 30_000 };
    for (let round = 1; round <= ROUNDS; round++) {
      const outcomes = await Promise.all(
        lab.vms.map((vm) =>
          start(ctx, vm, vm.modes[0] as (typeof vm.modes)[number], { wait: false }).then(
            () => ({ vm: vm.name, won: true as const }),
            (error: unknown) => ({ vm: vm.name, won: false as const, error }),
          ),
        ),
      );
      const winners = outcomes.filter((outcome) => outcome.won);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]?.vm as string;
      for (const outcome of outcomes.filter((candidate) => !candidate.won)) {
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(LifecycleError);
        expect((error as Error).message).toBe(
          `GPU rtx3080 on tower1 is held by ${winner}-live; stop it first: gpuvm stop ${winner}`,
        );
      }
      // The cluster agrees: one VM set to run, and it holds the lease.
      const vms = await client.list<{ metadata: { name: string }; spec: { runStrategy: string } }>({
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        namespace: lab.cluster.namespace,
      });
      const set = vms.items
        .filter((item) => item.spec.runStrategy === "Always")
        .map((item) => item.metadata.name);
      expect(set).toEqual([`${winner}-live`]);
      const lease = await client.get<{ spec: { holderIdentity: string } }>({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        namespace: lab.cluster.namespace,
        name: "gpuvm-gpu-tower1-rtx3080",
      });
      expect(lease?.spec.holderIdentity).toBe(`${winner}-live`);

      // No simulator runs here, so no instance exists: stopping gives the GPU back at once.
      const winnerVm = lab.vms.find((vm) => vm.name === winner);
      if (winnerVm) await stop(ctx, winnerVm, { wait: true });
      expect(
        await client.get({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          namespace: lab.cluster.namespace,
          name: "gpuvm-gpu-tower1-rtx3080",
        }),
      ).toBeUndefined();
    }
  }, 120_000);
});
