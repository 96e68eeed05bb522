// Harvester VMs: one VirtualMachine per lab VM, named after it (Harvester's VMs carry no mode suffix),
// in its live mode: the VM with its GPU. Harvester has no second object per mode; running without the
// GPU means detaching it, which is Harvester's own VM edit.
import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { Lab, Mode, Vm } from "../../model/lab.js";
import type { Rendered } from "../object.js";
import { renderVirtualMachine } from "../virtual-machine.js";
import { harvesterHostDevices } from "./host-devices.js";

/** The mode a Harvester VM stands for: live when the VM has one. */
export function harvesterMode(vm: Vm): Mode | undefined {
  return vm.modes.find((mode) => mode.name === "live") ?? vm.modes[0];
}

export function renderHarvesterVm(
  lab: Lab,
  vm: Vm,
  resources: Map<string, string>,
): Rendered<V1VirtualMachine>[] {
  const mode = harvesterMode(vm);
  if (!mode) return [];
  const rendered = renderVirtualMachine(lab, vm, mode);
  const devices = rendered.spec.template?.spec?.domain.devices;
  if (devices?.hostDevices) devices.hostDevices = harvesterHostDevices(mode.gpus, resources);
  return [{ ...rendered, metadata: { ...rendered.metadata, name: vm.name } }];
}
