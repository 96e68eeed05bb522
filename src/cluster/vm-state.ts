// What the cluster says about one mode of a VM: its VirtualMachine (runStrategy, printableStatus,
// conditions) and its VirtualMachineInstance, if any (phase, node, IP, conditions).
import type { KubeClient, KubeObjectJson } from "./client.js";

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface VirtualMachineJson extends KubeObjectJson {
  spec: { runStrategy?: string; running?: boolean };
  status?: { printableStatus?: string; conditions?: Condition[]; ready?: boolean };
}

export interface VmiJson extends KubeObjectJson {
  status?: {
    phase?: string;
    nodeName?: string;
    reason?: string;
    conditions?: Condition[];
    interfaces?: { name?: string; ipAddress?: string; ipAddresses?: string[] }[];
    phaseTransitionTimestamps?: { phase: string; phaseTransitionTimestamp: string }[];
  };
}

export interface ModeState {
  objectName: string;
  vm?: VirtualMachineJson;
  vmi?: VmiJson;
}

/** VMI phases after which the instance no longer holds its devices. */
const FINISHED = new Set(["Succeeded", "Failed"]);

export function vmRef(namespace: string, name: string) {
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", namespace, name };
}

export function vmiRef(namespace: string, name?: string) {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    namespace,
    ...(name ? { name } : {}),
  };
}

export async function readMode(
  client: KubeClient,
  namespace: string,
  objectName: string,
): Promise<ModeState> {
  const [vm, vmi] = await Promise.all([
    client.get<VirtualMachineJson>(vmRef(namespace, objectName)),
    client.get<VmiJson>(vmiRef(namespace, objectName)),
  ]);
  return { objectName, ...(vm ? { vm } : {}), ...(vmi ? { vmi } : {}) };
}

export function runStrategy(vm: VirtualMachineJson | undefined): string {
  if (!vm) return "Halted";
  if (vm.spec.runStrategy) return vm.spec.runStrategy;
  return vm.spec.running ? "Always" : "Halted";
}

/** An instance exists and has not finished. */
export function hasLiveInstance(state: ModeState): boolean {
  return state.vmi !== undefined && !FINISHED.has(state.vmi.status?.phase ?? "");
}

/** Running or about to: set to run, or an instance still exists (it may be shutting down). */
export function isActive(state: ModeState): boolean {
  return hasLiveInstance(state) || (state.vm !== undefined && runStrategy(state.vm) !== "Halted");
}

export function phaseOf(state: ModeState): string {
  if (state.vmi) return state.vmi.status?.phase || "Pending";
  if (state.vm && runStrategy(state.vm) !== "Halted") return state.vm.status?.printableStatus ?? "Starting";
  return "Stopped";
}

export function ipOf(vmi: VmiJson | undefined): string | undefined {
  for (const iface of vmi?.status?.interfaces ?? []) {
    if (iface.ipAddress) return iface.ipAddress;
    if (iface.ipAddresses?.[0]) return iface.ipAddresses[0];
  }
  return undefined;
}

/** When the current phase began (the VMI's last phase transition, else its creation). */
export function sinceOf(state: ModeState): string | undefined {
  const stamps = state.vmi?.status?.phaseTransitionTimestamps ?? [];
  const last = stamps[stamps.length - 1];
  if (last) return last.phaseTransitionTimestamp;
  return (state.vmi?.metadata.creationTimestamp as string | undefined) ?? undefined;
}
