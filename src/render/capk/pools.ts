// Cluster API KubeVirt worker pools in a lab: VMs with a `capk` field, or named the way clusterctl names
// a pool's objects (<cluster>-md-<n>). Each pool becomes the KubevirtMachineTemplate <cluster>-<pool>.
import type { Lab, Mode, Vm } from "../../model/lab.js";

export interface WorkerPool {
  vm: Vm;
  cluster: string;
  pool: string;
  /** The KubevirtMachineTemplate's name, as clusterctl writes it: <cluster>-<pool>. */
  templateName: string;
  /** The mode the workers run in: live (with the GPU) when the VM has one. */
  mode: Mode;
}

const POOL_NAME = /^(.+)-(md-\d+)$/;

function poolOf(vm: Vm): { cluster: string; pool: string } | undefined {
  if (vm.capk) return vm.capk;
  const match = POOL_NAME.exec(vm.name);
  return match?.[1] && match[2] ? { cluster: match[1], pool: match[2] } : undefined;
}

export function workerPools(lab: Lab): WorkerPool[] {
  const pools: WorkerPool[] = [];
  for (const vm of lab.vms) {
    const pool = poolOf(vm);
    const mode = vm.modes.find((candidate) => candidate.name === "live") ?? vm.modes[0];
    if (!pool || !mode) continue;
    pools.push({ vm, ...pool, templateName: `${pool.cluster}-${pool.pool}`, mode });
  }
  return pools;
}

/** VMs the capk target leaves out, for a note: they are neither declared nor named as pools. */
export function nonPoolVms(lab: Lab): string[] {
  const pooled = new Set(workerPools(lab).map((pool) => pool.vm));
  return lab.vms.filter((vm) => !pooled.has(vm)).map((vm) => vm.name);
}
