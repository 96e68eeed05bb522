// The JSON merge patch that attaches a mode's GPUs to an existing Harvester VM (seed 003's
// vm-docker-host-nvidia-gpu.patch.json). A merge patch replaces lists whole: the VM's hostDevices
// become exactly these.
import type { V1HostDevice } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { TextFile } from "../object.js";

export interface GpuPatch {
  spec: { template: { spec: { domain: { devices: { hostDevices: V1HostDevice[] } } } } };
}

export function gpuPatch(hostDevices: V1HostDevice[]): GpuPatch {
  return { spec: { template: { spec: { domain: { devices: { hostDevices } } } } } };
}

export function patchPath(vmName: string): string {
  return `patches/vm-${vmName}-gpu.patch.json`;
}

export function gpuPatchFile(vmName: string, hostDevices: V1HostDevice[]): TextFile {
  return { path: patchPath(vmName), content: `${JSON.stringify(gpuPatch(hostDevices), null, 2)}\n` };
}
