// The seed-000 homelab renders exactly what the write-up states.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/render/object.js";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";
import { exampleLab } from "../support/labs.js";

const objects = renderKubevirtTarget(exampleLab("homelab")).objects;

function find(kind: string, name: string): any {
  const found = objects.find((object: KubeObject) => object.kind === kind && object.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}

const vmSpec = (name: string) => find("VirtualMachine", name).spec.template.spec;

describe("seed 000 homelab (examples/homelab.yaml)", () => {
  it("renders the four VMs of the write-up, all halted", () => {
    const vms = objects.filter((object) => object.kind === "VirtualMachine");
    expect(vms.map((vm) => vm.metadata.name)).toEqual([
      "gaming-live",
      "gaming-maintenance",
      "gaming-compat-live",
      "gaming-compat-maintenance",
    ]);
    for (const vm of vms) expect((vm as any).spec.runStrategy).toBe("Halted");
  });

  it("sizes live modes at 13 cores / 26Gi (80% of tower1) and maintenance at 2 cores / 4Gi", () => {
    for (const name of ["gaming", "gaming-compat"]) {
      expect(vmSpec(`${name}-live`).domain.cpu.cores).toBe(13);
      expect(vmSpec(`${name}-live`).domain.memory.guest).toBe("26Gi");
      expect(vmSpec(`${name}-maintenance`).domain.cpu.cores).toBe(2);
      expect(vmSpec(`${name}-maintenance`).domain.memory.guest).toBe("4Gi");
    }
  });

  it("passes the RTX 3080's VGA and audio functions in live mode only", () => {
    expect(vmSpec("gaming-live").domain.devices.hostDevices).toEqual([
      { name: "gpu-vga", deviceName: "nvidia.com/rtx3080" },
      { name: "gpu-audio", deviceName: "nvidia.com/rtx3080-audio" },
    ]);
    expect(vmSpec("gaming-maintenance").domain.devices.hostDevices).toBeUndefined();
    expect(vmSpec("gaming-live").evictionStrategy).toBe("None");
    expect(vmSpec("gaming-maintenance").evictionStrategy).toBeUndefined();
  });

  it("requires tower1 in live mode and only prefers it in maintenance", () => {
    const term = {
      matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["tower1"] }],
    };
    expect(vmSpec("gaming-live").affinity).toEqual({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
    });
    expect(vmSpec("gaming-maintenance").affinity).toEqual({
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: term }] },
    });
  });

  it("gives the priority class to live modes only", () => {
    expect(vmSpec("gaming-live").priorityClassName).toBe("gaming-priority");
    expect(vmSpec("gaming-compat-live").priorityClassName).toBe("gaming-priority");
    expect(vmSpec("gaming-maintenance").priorityClassName).toBeUndefined();
    expect(find("PriorityClass", "gaming-priority")).toMatchObject({
      value: 1000,
      preemptionPolicy: "PreemptLowerPriority",
    });
  });

  it("renders the Longhorn storage classes with replicas, disk selector, Immediate binding and Retain", () => {
    expect(find("StorageClass", "lg-nvme-raw-x3-immediate-on-tower1")).toMatchObject({
      provisioner: "driver.longhorn.io",
      parameters: { numberOfReplicas: "3", diskSelector: "lg-nvme-raw" },
      volumeBindingMode: "Immediate",
      reclaimPolicy: "Retain",
    });
    expect(find("StorageClass", "lg-hdd-raw-x1-immediate-on-tower1")).toMatchObject({
      parameters: { numberOfReplicas: "1", diskSelector: "lg-hdd-raw" },
      reclaimPolicy: "Retain",
    });
    expect(find("PersistentVolumeClaim", "gaming-data").spec).toMatchObject({
      storageClassName: "lg-hdd-raw-x1-immediate-on-tower1",
      resources: { requests: { storage: "2Ti" } },
    });
  });

  it("shares each VM's disks between its modes", () => {
    const claims = (name: string) =>
      vmSpec(name).volumes.map((volume: any) => volume.persistentVolumeClaim.claimName);
    expect(claims("gaming-live")).toEqual(["gaming-system", "gaming-cache", "gaming-data"]);
    expect(claims("gaming-maintenance")).toEqual(claims("gaming-live"));
    expect(objects.filter((object) => object.kind === "PersistentVolumeClaim")).toHaveLength(5);
  });

  it("puts the fixed MAC on a managedTap interface of the Multus bridge network", () => {
    expect(vmSpec("gaming-compat-live").domain.devices.interfaces).toEqual([
      { name: "lan", macAddress: "8A:D3:14:CA:21:7A", binding: { name: "managedtap" } },
    ]);
    expect(vmSpec("gaming-compat-live").networks).toEqual([
      { name: "lan", multus: { networkName: "gaming-bridge-network" } },
    ]);
    const config = JSON.parse(find("NetworkAttachmentDefinition", "gaming-bridge-network").spec.config);
    expect(config).toMatchObject({ type: "bridge", bridge: "local-br0", isGateway: false });
  });

  it("configures KubeVirt with the seed's gates, managedTap binding and permitted devices", () => {
    const configuration = find("KubeVirt", "kubevirt").spec.configuration;
    expect(configuration.developerConfiguration.featureGates).toEqual(
      expect.arrayContaining(["HostDevices", "VideoConfig"]),
    );
    expect(configuration.network).toEqual({
      binding: { managedtap: { domainAttachmentType: "managedTap" } },
    });
    expect(configuration.permittedHostDevices.pciHostDevices).toEqual([
      { pciVendorSelector: "10de:2206", resourceName: "nvidia.com/rtx3080" },
      { pciVendorSelector: "10de:1aef", resourceName: "nvidia.com/rtx3080-audio" },
    ]);
  });

  it("boots Windows on SATA in maintenance and virtio in live, Linux on virtio in both", () => {
    const buses = (name: string) => vmSpec(name).domain.devices.disks.map((disk: any) => disk.disk.bus);
    expect(buses("gaming-compat-maintenance")).toEqual(["sata", "sata"]);
    expect(buses("gaming-compat-live")).toEqual(["virtio", "virtio"]);
    expect(buses("gaming-maintenance")).toEqual(["virtio", "virtio", "virtio"]);
    expect(vmSpec("gaming-live").domain.devices.disks[0].bootOrder).toBe(1);
  });

  it("gives Windows 11 its Hyper-V features, hidden KVM, Secure Boot EFI and a persistent TPM", () => {
    const domain = vmSpec("gaming-compat-live").domain;
    expect(domain.features.hyperv).toEqual({ relaxed: {}, vapic: {}, spinlocks: { spinlocks: 4096 } });
    expect(domain.features.kvm).toEqual({ hidden: true });
    expect(domain.features.smm).toEqual({ enabled: true });
    expect(domain.firmware.bootloader.efi).toEqual({ secureBoot: true, persistent: true });
    expect(domain.devices.tpm).toEqual({ persistent: true });
    expect(vmSpec("gaming-live").domain.features).toBeUndefined();
  });

  it("labels every object it owns with the lab, and VMs with their VM and mode", () => {
    for (const object of objects.filter((o) => !["KubeVirt", "CDI"].includes(o.kind))) {
      expect(object.metadata.labels).toMatchObject({
        "app.kubernetes.io/managed-by": "gpuvm",
        "gpuvm.io/lab": "homelab",
      });
    }
    expect(find("VirtualMachine", "gaming-compat-maintenance").metadata.labels).toMatchObject({
      "gpuvm.io/vm": "gaming-compat",
      "gpuvm.io/mode": "maintenance",
    });
  });
});
