// Small lookups several rule families share.
import type { Disk, DiskBus, Gpu, Lab, Mode, Vm } from "../model/lab.js";
import { LABEL_MODE, LABEL_VM } from "../render/labels.js";
import type { KubeObject } from "../render/object.js";

export function diskBus(disk: Disk, mode: Mode): DiskBus {
  return disk.bus ?? mode.diskBus;
}

/** Every mode that passes `gpu`, with its VM. */
export function usersOf(lab: Lab, gpu: Gpu): { vm: Vm; mode: Mode }[] {
  return lab.vms.flatMap((vm) =>
    vm.modes.filter((mode) => mode.gpus.includes(gpu)).map((mode) => ({ vm, mode })),
  );
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

/** Rendered VirtualMachines matched back to the lab's VM and mode through their labels. */
export function renderedVms(lab: Lab, objects: KubeObject[]): RenderedVm[] {
  const result: RenderedVm[] = [];
  for (const object of objects) {
    if (object.kind !== "VirtualMachine") continue;
    const vm = lab.vms.find((candidate) => candidate.name === object.metadata.labels?.[LABEL_VM]);
    const mode = vm?.modes.find((candidate) => candidate.name === object.metadata.labels?.[LABEL_MODE]);
    if (!vm || !mode) continue;
    const spec = (object.spec as { template?: { spec?: RenderedVmSpec } } | undefined)?.template?.spec ?? {};
    result.push({ object, spec, vm, mode });
  }
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
