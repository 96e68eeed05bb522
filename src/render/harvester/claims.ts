// PCIDeviceClaims: one per function of every GPU the lab passes, attached or not. Harvester binds a
// claimed device to vfio-pci; a group with an unclaimed member cannot be passed through (seed 003
// keeps the audio function claimed but not attached).
import type { Gpu, Lab } from "../../model/lab.js";
import { labLabels } from "../labels.js";
import type { KubeObject, Rendered } from "../object.js";
import { pciDeviceName } from "./names.js";

export interface PciDeviceClaim extends KubeObject {
  apiVersion: "devices.harvesterhci.io/v1beta1";
  kind: "PCIDeviceClaim";
  spec: { address: string; nodeName: string; userName: string };
}

export function renderPciDeviceClaims(lab: Lab, gpus: Gpu[]): Rendered<PciDeviceClaim>[] {
  return gpus.flatMap((gpu) =>
    gpu.functions.map((fn) => ({
      apiVersion: "devices.harvesterhci.io/v1beta1",
      kind: "PCIDeviceClaim",
      // Cluster-scoped, and named like the PCIDevice it claims: Harvester's UI and webhooks look it up so.
      metadata: { name: pciDeviceName(gpu.host, fn.address), labels: labLabels(lab) },
      spec: { address: fn.address, nodeName: gpu.host, userName: lab.cluster.harvester.userName },
    })),
  );
}
