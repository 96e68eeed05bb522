// The harvester target. By default: the PCIDeviceClaims, storage the lab defines, volumes and one VM per
// lab VM under Harvester's names. With asPatch (`--as-patch`): the claims, a merge patch per VM that
// attaches its GPUs to the VM Harvester already runs, and the runbook that applies them in order.
// Harvester configures KubeVirt itself (permitted devices come from the claims): no KubeVirt CR here.
import { gpusPassedByLab } from "../../model/gpus.js";
import type { Lab } from "../../model/lab.js";
import { renderPciDeviceClaims } from "../harvester/claims.js";
import { harvesterHostDevices } from "../harvester/host-devices.js";
import { harvesterResources } from "../harvester/names.js";
import { gpuPatchFile } from "../harvester/patch.js";
import { runbookFile } from "../harvester/runbook.js";
import { harvesterMode, renderHarvesterVm } from "../harvester/virtual-machine.js";
import type { KubeObject, RenderOutput, TextFile } from "../object.js";
import { renderStorageClasses } from "../storage-class.js";
import { renderVolumes } from "../volumes.js";

export interface HarvesterOptions {
  asPatch?: boolean;
}

function patchForm(lab: Lab, resources: Map<string, string>, claims: KubeObject[]): RenderOutput {
  const files: TextFile[] = [];
  const patched: string[] = [];
  const notes: string[] = [];
  for (const vm of lab.vms) {
    const mode = harvesterMode(vm);
    const devices = mode ? harvesterHostDevices(mode.gpus, resources) : [];
    if (devices.length === 0) {
      notes.push(`${vm.name}: no GPU to attach, no patch`);
      continue;
    }
    files.push(gpuPatchFile(vm.name, devices));
    patched.push(vm.name);
  }
  if (patched.length > 0) {
    const names = claims.map((claim) => claim.metadata.name);
    files.push(runbookFile(lab.name, lab.cluster.namespace, names, patched));
  }
  return { objects: claims, files, notes };
}

export function renderHarvesterTarget(lab: Lab, options: HarvesterOptions = {}): RenderOutput {
  const gpus = gpusPassedByLab(lab);
  const resources = harvesterResources(lab, gpus);
  const claims = renderPciDeviceClaims(lab, gpus);
  if (options.asPatch) return patchForm(lab, resources, claims);
  const objects: KubeObject[] = [
    ...claims,
    ...renderStorageClasses(lab),
    ...renderVolumes(lab),
    ...lab.vms.flatMap((vm) => renderHarvesterVm(lab, vm, resources)),
  ];
  return { objects, files: [] };
}
