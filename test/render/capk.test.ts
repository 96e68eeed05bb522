// Seed 004: CAPK worker nodes that get the infrastructure host's GPU (10de:20f1 as nvidia.com/gpu_dev1).
import { describe, expect, it } from "vitest";
import { parseModel } from "../../src/model/index.js";
import { renderCapkTarget } from "../../src/render/targets/capk.js";
import { renderKubevirtTarget } from "../../src/render/targets/kubevirt.js";
import { exampleLab, exampleText } from "../support/labs.js";
import { upstreamSchemas } from "../support/upstream-schemas.js";

const output = renderCapkTarget(exampleLab("capk-gpu-worker"));
const template = output.objects.find((object) => object.kind === "KubevirtMachineTemplate") as any;
const kubevirt = output.objects.find((object) => object.kind === "KubeVirt") as any;
const vm = () => template.spec.template.spec.virtualMachineTemplate.spec;

describe("capk target (examples/capk-gpu-worker.yaml)", () => {
  it("renders the worker template <cluster>-md-0 with the GPU as gpus, as the seed does", () => {
    expect(template.metadata).toEqual({ name: "kubevirt-cl-md-0", namespace: "default" });
    expect(vm().template.spec.domain.devices.gpus).toEqual([
      { deviceName: "nvidia.com/gpu_dev1", name: "gpu1" },
    ]);
    expect(vm().runStrategy).toBe("Always");
    expect(vm().template.spec.evictionStrategy).toBe("External");
  });

  it("sizes the workers from the lab and boots them from the seed's container disk", () => {
    const spec = vm().template.spec;
    expect(spec.domain.cpu).toEqual({ cores: 2 });
    expect(spec.domain.memory).toEqual({ guest: "4Gi" });
    expect(spec.domain.firmware).toBeUndefined();
    expect(spec.volumes).toEqual([
      {
        name: "containervolume",
        containerDisk: { image: "quay.io/capk/ubuntu-2004-container-disk:v1.22.0" },
      },
    ]);
    expect(spec.domain.devices.disks[0]).toMatchObject({ name: "containervolume", disk: { bus: "virtio" } });
  });

  it("configures the infrastructure KubeVirt with the 10DE:20F1 selector and the GPU and HostDevices gates", () => {
    expect(kubevirt.spec.configuration.permittedHostDevices.pciHostDevices).toEqual([
      { pciVendorSelector: "10DE:20F1", resourceName: "nvidia.com/gpu_dev1" },
    ]);
    expect(kubevirt.spec.configuration.developerConfiguration.featureGates).toEqual(["GPU", "HostDevices"]);
  });

  it("validates the template against the CAPK CRD and the KubeVirt CR against the KubeVirt schemas", () => {
    const schemas = upstreamSchemas();
    expect([...schemas.errors(template), ...schemas.errors(kubevirt)]).toEqual([]);
    const broken = structuredClone(template);
    broken.spec.template.spec.virtualMachineTemplate.spec.template.spec.domain.devices.gpus[0].device = "x";
    expect(schemas.errors(broken).join("\n")).toContain("device");
  });

  it("registers the managedTap binding in the infrastructure KubeVirt when a worker's NIC uses it", () => {
    const text = exampleText("capk-gpu-worker")
      .replace("hosts:", "networks:\n  lan: { bridge: br0, binding: managedTap }\nhosts:")
      .replace(
        "    modes:\n      live: { host: gpu-host1",
        "    nics: { lan: {} }\n    modes:\n      live: { host: gpu-host1",
      );
    const infra = renderCapkTarget(parseModel(text)).objects.find(
      (object) => object.kind === "KubeVirt",
    ) as any;
    expect(infra.spec.configuration.network).toEqual({
      binding: { managedtap: { domainAttachmentType: "managedTap" } },
    });
    expect(kubevirt.spec.configuration.network).toBeUndefined();
  });

  it("takes pools from an explicit capk field and leaves other VMs out with a note", () => {
    const text = exampleText("capk-gpu-worker")
      .replace("kubevirt-cl-md-0:", "gpu-workers:\n    capk: { cluster: tenant, pool: md-1 }")
      .concat(
        "  desktop:\n    disks: { root: { containerDisk: quay.io/x/y:1 } }\n    modes: { maintenance: { cpu: 1, memory: 1Gi } }\n",
      );
    const result = renderCapkTarget(parseModel(text));
    const names = result.objects.map((object) => object.metadata.name);
    expect(names).toEqual(["kubevirt", "tenant-md-1"]);
    expect(result.notes).toEqual([expect.stringContaining("desktop: not a worker pool")]);
  });
});

describe("containerDisk disks on the kubevirt target", () => {
  it("become containerDisk volumes with no PersistentVolumeClaim or DataVolume", () => {
    const objects = renderKubevirtTarget(exampleLab("capk-gpu-worker")).objects;
    const kinds = objects.map((object) => object.kind);
    expect(kinds).not.toContain("PersistentVolumeClaim");
    expect(kinds).not.toContain("DataVolume");
    const live = objects.find((object) => object.kind === "VirtualMachine") as any;
    expect(live.spec.template.spec.volumes).toEqual([
      {
        name: "containervolume",
        containerDisk: { image: "quay.io/capk/ubuntu-2004-container-disk:v1.22.0" },
      },
    ]);
  });

  it("refuse a size or storage, and a plain disk without them says what it needs", () => {
    const both = exampleText("capk-gpu-worker").replace(
      "{ containerDisk: quay.io/capk/ubuntu-2004-container-disk:v1.22.0 }",
      "{ containerDisk: quay.io/capk/ubuntu-2004-container-disk:v1.22.0, size: 20Gi }",
    );
    expect(() => parseModel(both)).toThrow(
      /disks\.containervolume\.size: a containerDisk disk has no volume/,
    );
    const neither = exampleText("capk-gpu-worker").replace(
      "{ containerDisk: quay.io/capk/ubuntu-2004-container-disk:v1.22.0 }",
      "{ bus: virtio }",
    );
    expect(() => parseModel(neither)).toThrow(/disks\.containervolume\.size: is required/);
  });
});
