// What the cluster says about one mode of a VM: its VirtualMachine (runStrategy, printableStatus,
// conditions) and its VirtualMachineInstance, if any (phase, node, IP, conditions).
import type {
  V1VirtualMachine,
  V1VirtualMachineCondition,
  V1VirtualMachineInstance,
} from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { KubeClient, KubeObjectJson } from "./client.js";

/** A VM's or a VMI's condition (the two published types have the same fields). */
export type Condition = V1VirtualMachineCondition;

/**
 * A VirtualMachine as KubeClient reads it: KubeVirt's published type, with the metadata every object
 * from the server has (name, namespace, resourceVersion), as KubeObjectJson extends a rendered object.
 */
export type VirtualMachineJson = V1VirtualMachine & KubeObjectJson;

/** A VirtualMachineInstance as KubeClient reads it. */
export type VmiJson = V1VirtualMachineInstance & KubeObjectJson;

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

/** The instance has finished (Succeeded, Failed) and no longer holds its devices. */
export function hasFinished(vmi: VmiJson): boolean {
  return FINISHED.has(vmi.status?.phase ?? "");
}

/** An instance exists and has not finished. */
export function hasLiveInstance(state: ModeState): boolean {
  return state.vmi !== undefined && !hasFinished(state.vmi);
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
  return state.vmi?.metadata.creationTimestamp;
}
