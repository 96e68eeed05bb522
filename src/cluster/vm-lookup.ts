// Finds the VM a command means. In the lab: a VM by its name ("gaming") or by one of its VirtualMachines'
// names ("gaming-live"). On the cluster: gpuvm names VMs <vm>-<mode>, so "gaming" resolves to gaming-live
// or gaming-maintenance: the --mode asked for, else the one running, else the lab's default.
import type { V1VirtualMachine, V1VirtualMachineInstance } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { EXIT, GpuvmError } from "../errors.js";
import type { Lab, Mode, Vm } from "../model/lab.js";
import { LABEL_MODE, LABEL_VM } from "../render/labels.js";
import { quoteForMessage } from "../terminal.js";
import type { KubeClient } from "./client.js";
import { actOnMode } from "./lifecycle-plan.js";
import { hasFinished, type VmiJson, vmiRef } from "./vm-state.js";

export interface LabVm {
  vm: Vm;
  /** The mode, when the name was one of the VM's VirtualMachines (gaming-compat-maintenance). */
  mode?: Mode;
}

/** The lab's VM named `name`, or the VM one of whose VirtualMachines is named `name`. */
export function labVm(lab: Lab, name: string): LabVm | undefined {
  const vm = lab.vms.find((candidate) => candidate.name === name);
  if (vm) return { vm };
  for (const candidate of lab.vms) {
    const mode = candidate.modes.find((m) => m.objectName === name);
    if (mode) return { vm: candidate, mode };
  }
  return undefined;
}

/** Like labVm, for commands that act on the lab's VMs only: an unknown name is a usage error. */
export function requireLabVm(lab: Lab, name: string): LabVm {
  const found = labVm(lab, name);
  if (found) return found;
  const known = lab.vms.map((vm) => vm.name).join(", ");
  throw new GpuvmError(`lab ${lab.name} has no VM "${quoteForMessage(name)}" (VMs: ${known})`, {
    exitCode: EXIT.usage,
  });
}

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

/** The VMI of a VM while it exists and has not finished. */
export async function liveInstance(api: KubeClient, ns: string, name: string): Promise<VmiJson | undefined> {
  const vmi = await api.get<VmiJson>(vmiRef(ns, name));
  return vmi && !hasFinished(vmi) ? vmi : undefined;
}

export async function findVm(api: KubeClient, target: VmTarget): Promise<FoundVm> {
  const ns = target.namespace;
  const list = await api.request<{ items: V1VirtualMachine[] }>("GET", vmPath(ns), {
    query: { labelSelector: `${LABEL_VM}=${target.vm}` },
  });
  let candidates = list.items;
  if (candidates.length === 0) {
    const direct = await api.find<V1VirtualMachine>(vmPath(ns, target.vm));
    if (!direct) {
      throw new GpuvmError(
        `no VirtualMachine for "${quoteForMessage(target.vm)}" in namespace ${quoteForMessage(ns)}`,
        { hint: "create it with: gpuvm apply -f LAB" },
      );
    }
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
      throw new GpuvmError(
        `VM "${quoteForMessage(target.vm)}" has no mode "${quoteForMessage(target.mode)}" in namespace ${quoteForMessage(ns)}`,
        { hint: `choose one of: ${quoteForMessage(known)}` },
      );
    }
    return chosen;
  }
  const key = (found: FoundVm) => found.mode ?? found.name;
  const picked = actOnMode(
    withInstances.map(key),
    withInstances.filter((found) => found.instance).map(key),
    target.defaultMode,
  );
  const chosen = withInstances.find((found) => key(found) === picked);
  if (chosen) return chosen;
  const modes = withInstances.map((found) => found.mode ?? found.name).join(", ");
  throw new GpuvmError(
    `VM "${quoteForMessage(target.vm)}" has modes ${quoteForMessage(modes)} and none is running`,
    { hint: "choose one with --mode" },
  );
}
