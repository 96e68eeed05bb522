// The KubeVirt CR of the infrastructure cluster that runs the workers (seed 004's "Configure KubeVirt"):
// each attached GPU function permitted under its resource name, selectors in upper case as the seed
// writes them, and the GPU and HostDevices feature gates.
import type { Lab } from "../../model/lab.js";
import { featureGates, type KubeVirtCr, permittedPciDevices } from "../cluster-config.js";
import type { WorkerPool } from "./pools.js";

export function renderInfraKubeVirt(lab: Lab, pools: WorkerPool[]): KubeVirtCr {
  const gates = ["GPU", "HostDevices"];
  for (const gate of featureGates(lab)) if (!gates.includes(gate)) gates.push(gate);
  const pci = permittedPciDevices(
    pools.flatMap((pool) => pool.mode.gpus),
    (id) => id.toUpperCase(),
  );
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
