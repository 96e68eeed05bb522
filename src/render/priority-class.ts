import type { PriorityClass } from "kubernetes-types/scheduling/v1.js";
import type { Lab, PrioritySpec } from "../model/lab.js";
import { labLabels } from "./labels.js";
import type { Rendered } from "./object.js";

/** PriorityClasses the lab's modes use: live VMs may preempt other pods to get their node (seed 000). */
export function renderPriorityClasses(lab: Lab): Rendered<PriorityClass>[] {
  const used = new Set(lab.vms.flatMap((vm) => vm.modes.map((mode) => mode.priority)));
  return lab.priorities
    .filter((priority) => priority.declared || used.has(priority.name))
    .map((priority: PrioritySpec) => ({
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: priority.name, labels: labLabels(lab) },
      value: priority.value,
      preemptionPolicy: priority.preemption,
      globalDefault: false,
      description: priority.description ?? `gpuvm lab ${lab.name}: VMs that need their host's GPU`,
    }));
}
