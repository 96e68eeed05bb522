// Labels that tie every object gpuvm owns to its lab, VM and mode (apply, prune and status select on them).
import type { Lab, Mode, Vm } from "../model/lab.js";

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_LAB = "gpuvm.io/lab";
export const LABEL_VM = "gpuvm.io/vm";
export const LABEL_MODE = "gpuvm.io/mode";
export const LABEL_DISK = "gpuvm.io/disk";
export const MANAGER = "gpuvm";

export function labLabels(lab: Lab): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGER, [LABEL_LAB]: lab.name };
}

export function vmLabels(lab: Lab, vm: Vm): Record<string, string> {
  return { ...labLabels(lab), [LABEL_VM]: vm.name };
}

export function modeLabels(lab: Lab, vm: Vm, mode: Mode): Record<string, string> {
  return { ...vmLabels(lab, vm), [LABEL_MODE]: mode.name };
}
