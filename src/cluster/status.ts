// gpuvm status: one row per VM of the lab (or per mode with -o wide), from the VMs, VMIs and GPU leases.

import type { Lab, Vm } from "../model/lab.js";
import { formatTable } from "../terminal.js";
import type { KubeClient } from "./client.js";
import { gpuClaim, holderId, holderOf } from "./leases.js";
import { ipOf, isActive, type ModeState, phaseOf, readMode, runStrategy, sinceOf } from "./vm-state.js";

export interface StatusRow {
  vm: string;
  /** The mode running or set to run; "-" when none. */
  mode: string;
  object: string;
  phase: string;
  runStrategy: string;
  node: string;
  ip: string;
  gpu: string;
  /** RFC 3339 time the current phase began, or "" */
  since: string;
}

function row(vm: Vm, state: ModeState, active: boolean, gpus: string[]): StatusRow {
  const mode = vm.modes.find((candidate) => candidate.objectName === state.objectName);
  return {
    vm: vm.name,
    mode: active ? (mode?.name ?? "-") : "-",
    object: state.objectName,
    phase: state.vm ? phaseOf(state) : "NotApplied",
    runStrategy: state.vm ? runStrategy(state.vm) : "",
    node: state.vmi?.status?.nodeName ?? "",
    ip: ipOf(state.vmi) ?? "",
    gpu: gpus.join(","),
    since: sinceOf(state) ?? "",
  };
}

/** One row per VM (its active mode, else its default mode); all modes when `allModes`. */
export async function collectStatus(
  client: KubeClient,
  lab: Lab,
  vmName: string | undefined,
  allModes: boolean,
): Promise<StatusRow[]> {
  const namespace = lab.cluster.namespace;
  const vms = vmName ? lab.vms.filter((vm) => vm.name === vmName) : lab.vms;
  const rows: StatusRow[] = [];
  for (const vm of vms) {
    const states = await Promise.all(vm.modes.map((mode) => readMode(client, namespace, mode.objectName)));
    const shown = states
      .map((state, index) => ({ state, mode: vm.modes[index], active: isActive(state) }))
      .filter(
        (entry) =>
          allModes || entry.active || (!states.some(isActive) && entry.mode?.name === vm.defaultMode),
      );
    for (const entry of shown) {
      const gpus: string[] = [];
      if (entry.active) {
        for (const gpu of entry.mode?.gpus ?? []) {
          const holder = await holderOf(client, gpuClaim(gpu));
          const mine = holder === holderId(namespace, entry.state.objectName);
          gpus.push(mine ? gpu.key : `${gpu.key}(held by ${holder ?? "nobody"})`);
        }
      }
      rows.push(row(vm, entry.state, entry.active, gpus));
    }
  }
  return rows;
}

/** "5m", "2h", "3d" like kubectl's AGE column. */
export function age(since: string, now: Date = new Date()): string {
  if (!since) return "";
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** Node names, phases and holders come from the cluster: formatTable escapes each cell, then aligns. */
export function formatStatus(rows: StatusRow[], wide: boolean, now: Date = new Date()): string {
  const dash = (text: string) => text || "-";
  if (wide) {
    return formatTable([
      ["VM", "OBJECT", "MODE", "PHASE", "RUNSTRATEGY", "NODE", "IP", "GPU", "SINCE"],
      ...rows.map((r) => [
        r.vm,
        r.object,
        r.mode,
        r.phase,
        r.runStrategy,
        dash(r.node),
        dash(r.ip),
        dash(r.gpu),
        dash(age(r.since, now)),
      ]),
    ]);
  }
  return formatTable([
    ["VM", "MODE", "PHASE", "NODE", "IP", "GPU", "SINCE"],
    ...rows.map((r) => [
      r.vm,
      r.mode,
      r.phase,
      dash(r.node),
      dash(r.ip),
      dash(r.gpu),
      dash(age(r.since, now)),
    ]),
  ]);
}
