// Host-device rules, checked on what is rendered: the KubeVirt CR must enable the HostDevices gate and
// permit every vendor:device a VM asks for under the resource name the VM uses (seed 000 Step 2;
// seed 003's "GPU … is not permitted in permittedHostDevices configuration").
import type { GpuFunction } from "../model/lab.js";
import { HOST_DEVICES_GATE } from "../model/versions.js";
import type { Hit, Rule } from "./finding.js";
import { featureGatesOf, renderedKubeVirtConfig, renderedVms } from "./helpers.js";
import { repeatsOfFirst } from "./repeats.js";

export const deviceRules: Rule[] = [
  {
    id: "GV011",
    severity: "error",
    title: "A VM passes host devices but the KubeVirt CR lacks the HostDevices feature gate",
    check: ({ lab, objects }) => {
      const config = renderedKubeVirtConfig(objects);
      if (!config || featureGatesOf(config).includes(HOST_DEVICES_GATE)) return [];
      return renderedVms(lab, objects)
        .filter(({ spec }) => (spec.domain?.devices?.hostDevices ?? []).length > 0)
        .map(
          ({ vm, mode, object }): Hit => ({
            path: [...mode.path, "gpus"],
            message: `${object.metadata.name} passes host devices, but the rendered KubeVirt CR does not enable the ${HOST_DEVICES_GATE} feature gate: the VM is refused`,
            fix: `add ${HOST_DEVICES_GATE} to spec.configuration.developerConfiguration.featureGates of the KubeVirt CR`,
            vm: vm.name,
          }),
        );
    },
  },
  {
    id: "GV012",
    severity: "error",
    title: "A host device the KubeVirt CR does not permit (permittedHostDevices)",
    check: ({ lab, objects }) => {
      const config = renderedKubeVirtConfig(objects);
      if (!config) return [];
      const permitted = config.permittedHostDevices?.pciHostDevices ?? [];
      return renderedVms(lab, objects).flatMap(({ vm, mode, object, spec }) =>
        (spec.domain?.devices?.hostDevices ?? []).flatMap((device): Hit[] => {
          const fn: GpuFunction | undefined = mode.gpus
            .flatMap((gpu) => gpu.functions)
            .find((candidate) => candidate.resource === device.deviceName);
          const entry = permitted.find((candidate) => candidate.resourceName === device.deviceName);
          const matches = entry && (!fn || entry.pciVendorSelector.toLowerCase() === fn.id);
          if (matches) return [];
          const id = fn ? ` (${fn.id})` : "";
          return [
            {
              path: fn ? [...fn.path, "resource"] : [...mode.path, "gpus"],
              message: entry
                ? `${object.metadata.name} asks for ${device.deviceName}${id}, but the KubeVirt CR permits that name for ${entry.pciVendorSelector}: the device plugin advertises nothing the VM can get`
                : `${object.metadata.name} asks for ${device.deviceName}${id}, which the KubeVirt CR's permittedHostDevices does not list: the VM stays Pending ("not permitted in permittedHostDevices configuration")`,
              fix: `add { pciVendorSelector: "${fn?.id ?? "<vendor:device>"}", resourceName: "${device.deviceName}" } to spec.configuration.permittedHostDevices.pciHostDevices`,
              vm: vm.name,
            },
          ];
        }),
      );
    },
  },
  {
    id: "GV013",
    severity: "error",
    title: "One resource name used for two different vendor:device ids",
    check: ({ lab }) =>
      repeatsOfFirst(
        lab.hosts.flatMap((host) => host.gpus.flatMap((gpu) => gpu.functions)),
        (fn) => fn.resource,
      )
        .filter(({ item: fn, first: seen }) => seen.id !== fn.id)
        .map(
          ({ item: fn, first: seen }): Hit => ({
            path: [...fn.path, "resource"],
            message: `resource ${fn.resource} names ${fn.id} here and ${seen.id} at ${seen.address}: one resource name advertises one kind of device, so a VM could get the wrong one`,
            fix: `give ${fn.id} its own resource name (such as ${fn.resource}-${fn.id.slice(5)})`,
          }),
        ),
  },
];
