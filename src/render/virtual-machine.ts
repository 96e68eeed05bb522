// One VirtualMachine per VM × mode (gaming-live, gaming-maintenance), always rendered Halted: gpuvm's
// lifecycle commands decide which mode runs, so applying a lab never starts anything.
import type {
  K8sIoApiCoreV1Affinity,
  V1Devices,
  V1Disk,
  V1DomainSpec,
  V1Features,
  V1HostDevice,
  V1Interface,
  V1VirtualMachine,
  V1Volume,
} from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { Lab, Mode, Vm } from "../model/lab.js";
import { LABEL_LAB, LABEL_MODE, LABEL_VM, modeLabels } from "./labels.js";
import type { Rendered } from "./object.js";

const HOSTNAME_LABEL = "kubernetes.io/hostname";

export function affinity(mode: Mode): K8sIoApiCoreV1Affinity | undefined {
  if (!mode.host) return undefined;
  const term = {
    matchExpressions: [{ key: HOSTNAME_LABEL, operator: "In" as const, values: [mode.host.name] }],
  };
  if (mode.affinity === "required") {
    return {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
    };
  }
  return {
    nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: term }] },
  };
}

export function disks(vm: Vm, mode: Mode): V1Disk[] {
  return [...vm.disks, ...vm.containerDisks].map((disk) => ({
    name: disk.key,
    disk: { bus: disk.bus ?? mode.diskBus },
    ...(disk.boot ? { bootOrder: 1 } : {}),
  }));
}

export function volumes(vm: Vm): V1Volume[] {
  const claims: V1Volume[] = vm.disks.map((disk) =>
    disk.source
      ? { name: disk.key, dataVolume: { name: disk.claimName } }
      : { name: disk.key, persistentVolumeClaim: { claimName: disk.claimName } },
  );
  const images: V1Volume[] = vm.containerDisks.map((disk) => ({
    name: disk.key,
    containerDisk: { image: disk.image },
  }));
  return [...claims, ...images];
}

export function interfaces(vm: Vm): V1Interface[] {
  return vm.nics.map((nic) => ({
    name: nic.name,
    ...(nic.mac !== undefined ? { macAddress: nic.mac } : {}),
    ...(nic.model !== undefined ? { model: nic.model } : {}),
    // managedTap leaves DHCP to the router, so the guest keeps its static lease (seed 000).
    ...(nic.network.binding === "managedTap" ? { binding: { name: "managedtap" } } : { bridge: {} }),
  }));
}

function hostDevices(mode: Mode): V1HostDevice[] {
  return mode.gpus.flatMap((gpu) =>
    gpu.functions.filter((fn) => fn.attach).map((fn) => ({ name: fn.name, deviceName: fn.resource })),
  );
}

function hypervFeatures(vm: Vm): Record<string, unknown> | undefined {
  const entries = Object.entries(vm.hyperv).filter(([, value]) => value !== false);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([name, value]) => {
      if (name === "spinlocks") return [name, { spinlocks: typeof value === "number" ? value : 4096 }];
      if (name === "vendorid") return [name, { vendorid: value }];
      return [name, {}];
    }),
  );
}

function features(vm: Vm): V1Features | undefined {
  const hyperv = hypervFeatures(vm);
  const result: V1Features = {
    ...(vm.windows ? { acpi: {}, apic: {} } : {}),
    ...(hyperv ? { hyperv } : {}),
    // Hides the hypervisor from NVIDIA's Windows driver (the old "Code 43" refusal).
    ...(vm.windows ? { kvm: { hidden: true } } : {}),
    // Secure Boot needs System Management Mode in the guest firmware.
    ...(vm.firmware.secureBoot ? { smm: { enabled: true } } : {}),
  };
  return Object.keys(result).length > 0 ? result : undefined;
}

export function firmware(vm: Vm): V1DomainSpec["firmware"] {
  if (!vm.firmware.efi) return undefined;
  const persistent = vm.firmware.tpm || vm.firmware.secureBoot;
  return {
    bootloader: { efi: { secureBoot: vm.firmware.secureBoot, ...(persistent ? { persistent: true } : {}) } },
  };
}

function devices(vm: Vm, mode: Mode): V1Devices {
  const gpuDevices = hostDevices(mode);
  return {
    ...(vm.graphics.vnc ? {} : { autoattachGraphicsDevice: false }),
    ...(vm.graphics.video ? { video: { type: vm.graphics.video } } : {}),
    disks: disks(vm, mode),
    interfaces: interfaces(vm),
    ...(gpuDevices.length > 0 ? { hostDevices: gpuDevices } : {}),
    // A tablet gives VNC an absolute pointer, so the mouse follows the viewer's cursor.
    ...(vm.graphics.vnc ? { inputs: [{ type: "tablet", bus: "usb", name: "tablet" }] } : {}),
    ...(vm.firmware.tpm ? { tpm: { persistent: true } } : {}),
  };
}

function domain(vm: Vm, mode: Mode): V1DomainSpec {
  const domainFeatures = features(vm);
  const domainFirmware = firmware(vm);
  return {
    cpu: { cores: mode.cores, sockets: 1, threads: 1 },
    memory: { guest: mode.memory },
    ...(domainFirmware ? { firmware: domainFirmware } : {}),
    ...(domainFeatures ? { features: domainFeatures } : {}),
    ...(vm.windows
      ? {
          clock: {
            utc: {},
            timer: {
              hpet: { present: false },
              pit: { tickPolicy: "delay" },
              rtc: { tickPolicy: "catchup" },
              hyperv: {},
            },
          },
        }
      : {}),
    devices: devices(vm, mode),
  };
}

export function renderVirtualMachine(lab: Lab, vm: Vm, mode: Mode): Rendered<V1VirtualMachine> {
  const vmAffinity = affinity(mode);
  const passesDevices = hostDevices(mode).length > 0;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: mode.objectName,
      namespace: lab.cluster.namespace,
      labels: modeLabels(lab, vm, mode),
      ...(vm.description !== undefined ? { annotations: { description: vm.description } } : {}),
    },
    spec: {
      runStrategy: "Halted",
      template: {
        metadata: {
          labels: {
            [LABEL_LAB]: lab.name,
            [LABEL_VM]: vm.name,
            [LABEL_MODE]: mode.name,
            "kubevirt.io/domain": vm.name,
          },
        },
        spec: {
          ...(mode.priority ? { priorityClassName: mode.priority } : {}),
          // A VM holding a host device cannot live-migrate; eviction must not try.
          ...(passesDevices ? { evictionStrategy: "None" } : {}),
          ...(vmAffinity ? { affinity: vmAffinity } : {}),
          domain: domain(vm, mode),
          networks: vm.nics.map((nic) => ({ name: nic.name, multus: { networkName: nic.network.name } })),
          volumes: volumes(vm),
        },
      },
    },
  };
}

export function renderVirtualMachines(lab: Lab): Rendered<V1VirtualMachine>[] {
  return lab.vms.flatMap((vm) => vm.modes.map((mode) => renderVirtualMachine(lab, vm, mode)));
}
