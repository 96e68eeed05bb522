// Finds the VirtualMachine object a command means: gpuvm names VMs <vm>-<mode>, so "gaming" resolves to
// gaming-live or gaming-maintenance: the --mode asked for, else the one running, else the lab's default.
import type { V1VirtualMachine, V1VirtualMachineInstance } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { LABEL_MODE, LABEL_VM } from "../render/labels.js";
import type { KubeApi } from "./kube-request.js";

export interface VmTarget {
  namespace: string;
  /** A lab VM name ("gaming") or a VirtualMachine name ("gaming-live"). */
  vm: string;
  mode?: string;
  /** The lab's default mode for this VM, when a lab file was given. */
  defaultMode?: string;
}

export interface FoundVm {
  object: V1VirtualMachine;
  name: string;
  mode?: string;
  instance?: V1VirtualMachineInstance;
}

export const vmPath = (ns: string, name?: string) =>
  `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines${name ? `/${name}` : ""}`;
export const vmiPath = (ns: string, name: string) =>
  `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`;

/** The VMI of a VM while it exists and has not finished. */
export async function liveInstance(
  api: KubeApi,
  ns: string,
  name: string,
): Promise<V1VirtualMachineInstance | undefined> {
  const vmi = await api.find<V1VirtualMachineInstance>(vmiPath(ns, name));
  const phase = vmi?.status?.phase;
  return vmi && phase !== "Succeeded" && phase !== "Failed" ? vmi : undefined;
}

export async function findVm(api: KubeApi, target: VmTarget): Promise<FoundVm> {
  const ns = target.namespace;
  const list = await api.request<{ items: V1VirtualMachine[] }>("GET", vmPath(ns), {
    query: { labelSelector: `${LABEL_VM}=${target.vm}` },
  });
  let candidates = list.items;
  if (candidates.length === 0) {
    const direct = await api.find<V1VirtualMachine>(vmPath(ns, target.vm));
    if (!direct)
      throw new Error(`no VirtualMachine for "${target.vm}" in namespace ${ns} (gpuvm apply first?)`);
    candidates = [direct];
  }
  const modeOf = (vm: V1VirtualMachine) => vm.metadata?.labels?.[LABEL_MODE];
  const withInstances = await Promise.all(
    candidates.map(async (object) => {
      const name = object.metadata?.name ?? "";
      const instance = await liveInstance(api, ns, name);
      const mode = modeOf(object);
      return { object, name, ...(mode ? { mode } : {}), ...(instance ? { instance } : {}) } as FoundVm;
    }),
  );
  if (target.mode) {
    const chosen = withInstances.find((found) => found.mode === target.mode);
    if (!chosen) {
      const known = withInstances.map((found) => found.mode ?? found.name).join(", ");
      throw new Error(`VM "${target.vm}" has no mode "${target.mode}" in namespace ${ns} (known: ${known})`);
    }
    return chosen;
  }
  const running = withInstances.filter((found) => found.instance);
  if (running.length === 1 && running[0]) return running[0];
  if (target.defaultMode) {
    const chosen = withInstances.find((found) => found.mode === target.defaultMode);
    if (chosen) return chosen;
  }
  if (withInstances.length === 1 && withInstances[0]) return withInstances[0];
  throw new Error(
    `VM "${target.vm}" has modes ${withInstances.map((found) => found.mode).join(", ")} and none is running; choose one with --mode`,
  );
}
