// Harvester's object names for PCI devices: <node>-<address without ":" and ".">, the name of the
// PCIDevice the pcidevices controller creates and of the claim that reserves it (altra-000c01000).
import { InputError, type Problem } from "../../config/problem.js";
import type { Gpu, GpuFunction, Lab } from "../../model/lab.js";
import { harvesterResourceName, PCI_VENDOR_NAMES } from "./resource-name.js";

export function pciDeviceName(node: string, address: string): string {
  return `${node}-${address.replace(/[:.]/g, "")}`;
}

type Resolved = { resource: string } | { problem: string };

function resolve(fn: GpuFunction): Resolved {
  if (fn.resourceDeclared) return { resource: fn.resource };
  const [vendorId = "", deviceId = ""] = fn.id.split(":");
  const vendorName = fn.vendorName ?? PCI_VENDOR_NAMES[vendorId];
  if (fn.product !== undefined && vendorName !== undefined)
    return { resource: harvesterResourceName(vendorName, fn.product, deviceId) };
  const missing =
    fn.product === undefined ? "product (its pci.ids device name, as lspci shows it)" : "vendor";
  return {
    problem:
      `the harvester target needs the resource name Harvester advertises for ${fn.address}: ` +
      `give resource (kubectl get pcidevices shows it) or ${missing}`,
  };
}

/**
 * Harvester's resource name of every function of the given GPUs, by PCIDevice name.
 * Throws one InputError that points at every function whose name cannot be known.
 */
export function harvesterResources(lab: Lab, gpus: Gpu[]): Map<string, string> {
  const names = new Map<string, string>();
  const problems: Problem[] = [];
  for (const gpu of gpus) {
    for (const fn of gpu.functions) {
      const resolved = resolve(fn);
      if ("resource" in resolved) names.set(pciDeviceName(gpu.host, fn.address), resolved.resource);
      else
        problems.push({ ...lab.source.locate(fn.path), path: fn.path.join("."), message: resolved.problem });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return names;
}
