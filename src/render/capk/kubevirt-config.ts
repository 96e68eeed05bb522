// The KubeVirt CR of the infrastructure cluster that runs the workers (seed 004's "Configure KubeVirt"):
// each attached GPU function permitted under its resource name, selectors in upper case as the seed
// writes them, the GPU and HostDevices feature gates, and the managedTap binding when a worker's NIC uses it
// (the template names the binding; KubeVirt refuses a binding its CR does not register).
import type { Lab } from "../../model/lab.js";
import {
  featureGates,
  type KubeVirtCr,
  kubeVirtCr,
  permittedPciDevices,
  vmUsesManagedTap,
} from "../cluster-config.js";
import type { Rendered } from "../object.js";
import type { WorkerPool } from "./pools.js";

export function renderInfraKubeVirt(lab: Lab, pools: WorkerPool[]): Rendered<KubeVirtCr> {
  const gates = ["GPU", "HostDevices"];
  for (const gate of featureGates(lab)) if (!gates.includes(gate)) gates.push(gate);
  const pciHostDevices = permittedPciDevices(
    pools.flatMap((pool) => pool.mode.gpus),
    (id) => id.toUpperCase(),
  );
  const managedTap = pools.some((pool) => vmUsesManagedTap(pool.vm));
  return kubeVirtCr(lab, { featureGates: gates, pciHostDevices, managedTap });
}
