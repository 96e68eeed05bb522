// The KubeVirt CR of the infrastructure cluster that runs the workers (seed 004's "Configure KubeVirt"):
// each attached GPU function permitted under its resource name, selectors in upper case as the seed
// writes them, and the GPU and HostDevices feature gates.
import type { V1PciHostDevice } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { Lab } from "../../model/lab.js";
import { featureGates, type KubeVirtCr } from "../cluster-config.js";
import type { WorkerPool } from "./pools.js";

function permitted(pools: WorkerPool[]): V1PciHostDevice[] {
  const entries = new Map<string, V1PciHostDevice>();
  for (const gpu of pools.flatMap((pool) => pool.mode.gpus)) {
    for (const fn of gpu.functions.filter((candidate) => candidate.attach)) {
      const selector = fn.id.toUpperCase();
      entries.set(`${selector}|${fn.resource}`, { pciVendorSelector: selector, resourceName: fn.resource });
    }
  }
  return [...entries.values()];
}

export function renderInfraKubeVirt(lab: Lab, pools: WorkerPool[]): KubeVirtCr {
  const gates = ["GPU", "HostDevices"];
  for (const gate of featureGates(lab)) if (!gates.includes(gate)) gates.push(gate);
  const pci = permitted(pools);
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: lab.cluster.kubevirtNamespace },
    spec: {
      configuration: {
        developerConfiguration: { featureGates: gates },
        ...(pci.length > 0 ? { permittedHostDevices: { pciHostDevices: pci } } : {}),
      },
    },
  };
}
