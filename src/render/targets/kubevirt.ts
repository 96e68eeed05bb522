// The kubevirt target: everything a plain Kubernetes cluster with KubeVirt + CDI needs, in apply order.
import type { Lab } from "../../model/lab.js";
import { renderCdi, renderKubeVirt } from "../cluster-config.js";
import { renderNamespace } from "../namespace.js";
import { renderNetworks } from "../network.js";
import type { KubeObject, RenderOutput } from "../object.js";
import { renderPriorityClasses } from "../priority-class.js";
import { renderStorageClasses } from "../storage-class.js";
import { renderVirtualMachines } from "../virtual-machine.js";
import { renderVolumes } from "../volumes.js";

export function renderKubevirtTarget(lab: Lab): RenderOutput {
  // Dependency order: namespace, cluster configuration, priorities, storage, network, volumes, VMs.
  const objects: KubeObject[] = [
    renderNamespace(lab),
    renderKubeVirt(lab),
    renderCdi(),
    ...renderPriorityClasses(lab),
    ...renderStorageClasses(lab),
    ...renderNetworks(lab),
    ...renderVolumes(lab),
    ...renderVirtualMachines(lab),
  ];
  return { objects, files: [] };
}
