// Which GPUs a lab passes through: the one answer the renderers, the doctor and lint share.
import type { Gpu, Lab } from "./lab.js";

/**
 * Every GPU that some mode of some VM passes, once each, in the order the VMs and their modes name them.
 * A GPU that two modes (or two VMs) pass is listed once: it is one device to permit, claim or check.
 */
export function gpusPassedByLab(lab: Lab): Gpu[] {
  return [...new Set(lab.vms.flatMap((vm) => vm.modes.flatMap((mode) => mode.gpus)))];
}
