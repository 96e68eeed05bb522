// The cluster-wide KubeVirt and CDI custom resources. Both are shared with other owners, so they carry
// no gpuvm labels: prune selects on those labels and must never remove them.
import type { V1beta1CDI } from "@kubevirt-ui-ext/kubevirt-api/containerized-data-importer";
import type {
  V1KubeVirt,
  V1KubeVirtConfiguration,
  V1PciHostDevice,
} from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { gpusPassedByLab } from "../model/gpus.js";
import type { Gpu, Lab, Vm } from "../model/lab.js";
import { atLeast, HOST_DEVICES_GATE, KUBEVIRT, type Version } from "../model/versions.js";
import type { Rendered } from "./object.js";

/**
 * Feature gates the lab's VMs need on the declared KubeVirt version, in a stable order. A gate that has
 * gone GA by that version is left out: KubeVirt would only warn that it is deprecated.
 */
export function featureGates(lab: Lab): string[] {
  const version = lab.cluster.kubevirtVersion;
  const stillGated = (ga: Version) => !atLeast(version, ga);
  const gates: string[] = [];
  if (gpusPassedByLab(lab).length > 0) gates.push(HOST_DEVICES_GATE);
  if (lab.vms.some((vm) => vm.graphics.video !== undefined) && stillGated(KUBEVIRT.videoConfigGa)) {
    gates.push("VideoConfig");
  }
  // Persistent TPM and EFI variables live on a backend-storage PVC behind this gate.
  const persistent = lab.vms.some((vm) => vm.firmware.tpm || vm.firmware.secureBoot);
  if (persistent && stillGated(KUBEVIRT.persistentStateGa)) gates.push("VMPersistentState");
  return gates;
}

/**
 * One permitted entry per vendor:device and resource name of every attached function of `gpus`.
 * `selector` writes the vendor:device as the target's convention has it (CAPK's seed uses upper case).
 */
export function permittedPciDevices(gpus: Gpu[], selector = (id: string) => id): V1PciHostDevice[] {
  const entries = new Map<string, V1PciHostDevice>();
  for (const fn of gpus.flatMap((gpu) => gpu.functions.filter((candidate) => candidate.attach))) {
    const pciVendorSelector = selector(fn.id);
    const key = `${pciVendorSelector}|${fn.resource}`;
    if (!entries.has(key)) entries.set(key, { pciVendorSelector, resourceName: fn.resource });
  }
  return [...entries.values()];
}

export function vmUsesManagedTap(vm: Vm): boolean {
  return vm.nics.some((nic) => nic.network.binding === "managedTap");
}

export function usesManagedTap(lab: Lab): boolean {
  return lab.vms.some(vmUsesManagedTap);
}

/** The published type misnames spec.configuration as `_configuration`; this is the API's real shape. */
export type KubeVirtCr = Omit<V1KubeVirt, "spec"> & { spec: { configuration: V1KubeVirtConfiguration } };

/** What a KubeVirt CR turns on: the feature gates, the permitted PCI devices, the managedTap binding. */
export interface KubeVirtSettings {
  featureGates: string[];
  pciHostDevices: V1PciHostDevice[];
  managedTap: boolean;
}

/** The one KubeVirt CR builder: the kubevirt target and CAPK's infrastructure cluster differ only in settings. */
export function kubeVirtCr(lab: Lab, settings: KubeVirtSettings): Rendered<KubeVirtCr> {
  const { featureGates: gates, pciHostDevices: pci, managedTap } = settings;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: lab.cluster.kubevirtNamespace },
    spec: {
      configuration: {
        ...(gates.length > 0 ? { developerConfiguration: { featureGates: gates } } : {}),
        ...(managedTap
          ? { network: { binding: { managedtap: { domainAttachmentType: "managedTap" } } } }
          : {}),
        ...(pci.length > 0 ? { permittedHostDevices: { pciHostDevices: pci } } : {}),
      },
    },
  };
}

/** The KubeVirt CR of the cluster the lab's VMs run in. */
export function renderKubeVirt(lab: Lab): Rendered<KubeVirtCr> {
  return kubeVirtCr(lab, {
    featureGates: featureGates(lab),
    pciHostDevices: permittedPciDevices(gpusPassedByLab(lab)),
    managedTap: usesManagedTap(lab),
  });
}

export function renderCdi(): Rendered<V1beta1CDI> {
  return { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "CDI", metadata: { name: "cdi" }, spec: {} };
}
