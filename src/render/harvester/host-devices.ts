// The hostDevices entries a Harvester VM gets for a mode's GPUs, under Harvester's resource names.
//
// Harvester's UI names each entry after its PCIDevice (altra-000c01000), and its VM webhook then adds
// every other member of that device's IOMMU group to the VM. That is right when the whole group is
// attached, and wrong when the lab holds a function back (attach: false, seed 003's audio function):
// such groups keep the lab's device names, which the webhook does not expand.
// `gpus` entries would be converted to hostDevices by the same webhook, so hostDevices are written directly.
import type { V1HostDevice } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { Gpu } from "../../model/lab.js";
import { pciDeviceName } from "./names.js";

export function harvesterHostDevices(gpus: Gpu[], resources: Map<string, string>): V1HostDevice[] {
  return gpus.flatMap((gpu) => {
    const wholeGroup = gpu.functions.every((fn) => fn.attach);
    return gpu.functions
      .filter((fn) => fn.attach)
      .map((fn) => {
        const device = pciDeviceName(gpu.host, fn.address);
        return { name: wholeGroup ? device : fn.name, deviceName: resources.get(device) ?? fn.resource };
      });
  });
}
