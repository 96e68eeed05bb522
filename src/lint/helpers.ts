// Small lookups several rule families share.
import type { Disk, DiskBus, Gpu, Lab, Mode, Vm } from "../model/lab.js";
import { LABEL_MODE, LABEL_VM } from "../render/labels.js";
import type { KubeObject } from "../render/object.js";

/** How many names a message lists before it says "and N more": messages stay one readable line. */
export const SHOWN = 3;

/** `shown` (already quoted) joined with ", ", followed by "and N more" when `total` is larger. */
export function listSome(shown: readonly string[], total: number): string {
  const rest = total - shown.length;
  return rest > 0 ? `${shown.join(", ")} and ${rest} more` : shown.join(", ");
}

export function diskBus(disk: Disk, mode: Mode): DiskBus {
  return disk.bus ?? mode.diskBus;
}

type GpuUsers = Map<Gpu, { vm: Vm; mode: Mode }[]>;
const usersCache = new WeakMap<Lab, GpuUsers>();

/** Every mode that passes `gpu`, with its VM, in lab order (indexed once per lab: one walk of the VMs). */
export function usersOf(lab: Lab, gpu: Gpu): { vm: Vm; mode: Mode }[] {
  let index = usersCache.get(lab);
  if (!index) {
    index = new Map();
    for (const vm of lab.vms)
      for (const mode of vm.modes)
        for (const passed of new Set(mode.gpus)) {
          const list = index.get(passed) ?? [];
          list.push({ vm, mode });
          index.set(passed, list);
        }
    usersCache.set(lab, index);
  }
  return index.get(gpu) ?? [];
}

/** Loosely typed view of a rendered VirtualMachine: only the fields lint reads. */
export interface RenderedVmSpec {
  evictionStrategy?: string;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[];
      };
    };
  };
  domain?: { devices?: { hostDevices?: { name: string; deviceName: string }[] } };
}

export interface RenderedVm {
  object: KubeObject;
  spec: RenderedVmSpec;
  vm: Vm;
  mode: Mode;
}

const renderedCache = new WeakMap<KubeObject[], RenderedVm[]>();

/**
 * Rendered VirtualMachines matched back to the lab's VM and mode through their labels. Several rules
 * ask for them, so the match is made once per list of objects, through a map (lint stays linear in
 * the number of VMs).
 */
export function renderedVms(lab: Lab, objects: KubeObject[]): RenderedVm[] {
  const cached = renderedCache.get(objects);
  if (cached) return cached;
  const byName = new Map(lab.vms.map((vm) => [vm.name, vm]));
  const result: RenderedVm[] = [];
  for (const object of objects) {
    if (object.kind !== "VirtualMachine") continue;
    const name = object.metadata.labels?.[LABEL_VM];
    const vm = name === undefined ? undefined : byName.get(name);
    const mode = vm?.modes.find((candidate) => candidate.name === object.metadata.labels?.[LABEL_MODE]);
    if (!vm || !mode) continue;
    const spec = (object.spec as { template?: { spec?: RenderedVmSpec } } | undefined)?.template?.spec ?? {};
    result.push({ object, spec, vm, mode });
  }
  renderedCache.set(objects, result);
  return result;
}

export interface RenderedKubeVirtConfig {
  developerConfiguration?: { featureGates?: string[] };
  permittedHostDevices?: { pciHostDevices?: { pciVendorSelector: string; resourceName: string }[] };
}

/** spec.configuration of the rendered KubeVirt CR, or undefined when the target does not render one. */
export function renderedKubeVirtConfig(objects: KubeObject[]): RenderedKubeVirtConfig | undefined {
  const cr = objects.find((object) => object.kind === "KubeVirt");
  if (!cr) return undefined;
  return (cr.spec as { configuration?: RenderedKubeVirtConfig } | undefined)?.configuration ?? {};
}

export function featureGatesOf(config: RenderedKubeVirtConfig): string[] {
  return config.developerConfiguration?.featureGates ?? [];
}
