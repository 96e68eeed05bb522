// Seed 003: the RTX 3090 of Harvester node altra passed to default/docker-host, audio claimed but kept out.
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/problem.js";
import { parseModel } from "../../src/model/index.js";
import { pciDeviceName } from "../../src/render/harvester/names.js";
import {
  harvesterProductName,
  harvesterResourceName,
  harvesterVendorDomain,
} from "../../src/render/harvester/resource-name.js";
import { renderHarvesterTarget } from "../../src/render/targets/harvester.js";
import { exampleLab, exampleText } from "../support/labs.js";
import { upstreamSchemas } from "../support/upstream-schemas.js";

const lab = exampleLab("harvester-docker-host");

describe("harvester target, full form (examples/harvester-docker-host.yaml)", () => {
  const output = renderHarvesterTarget(lab);
  const claims = output.objects.filter((object) => object.kind === "PCIDeviceClaim") as any[];

  it("claims both functions of IOMMU group 18 under the seed's PCIDevice names", () => {
    expect(claims.map((claim) => claim.metadata.name)).toEqual(["altra-000c01000", "altra-000c01001"]);
    expect(claims.map((claim) => claim.spec)).toEqual([
      { address: "000c:01:00.0", nodeName: "altra", userName: "admin" },
      { address: "000c:01:00.1", nodeName: "altra", userName: "admin" },
    ]);
    for (const claim of claims) expect(claim.metadata.namespace).toBeUndefined();
  });

  it("renders the VM under its Harvester name with only the VGA function, by Harvester's resource name", () => {
    const vm = output.objects.find((object) => object.kind === "VirtualMachine") as any;
    expect(vm.metadata).toMatchObject({ name: "docker-host", namespace: "default" });
    expect(vm.spec.template.spec.domain.devices.hostDevices).toEqual([
      { name: "rtx3090", deviceName: "nvidia.com/GA102_GEFORCE_RTX_3090" },
    ]);
  });

  it("renders no KubeVirt CR: Harvester configures KubeVirt itself", () => {
    expect(output.objects.map((object) => object.kind)).not.toContain("KubeVirt");
  });

  it("validates every claim and VM against the Harvester CRDs and the KubeVirt swagger", () => {
    const schemas = upstreamSchemas();
    const checked = output.objects.filter((object) =>
      ["PCIDeviceClaim", "VirtualMachine", "PersistentVolumeClaim"].includes(object.kind),
    );
    expect(checked.length).toBe(4);
    expect(checked.flatMap((object) => schemas.errors(object))).toEqual([]);
  });

  it("catches a misspelt claim field (the Harvester CRD is really checked)", () => {
    const broken = structuredClone(claims[0]);
    broken.spec.nodename = "altra";
    expect(upstreamSchemas().errors(broken).join("\n")).toContain("nodename");
  });

  it("takes the claims' user from cluster.harvester.userName", () => {
    const text = exampleText("harvester-docker-host").replace("userName: admin", "userName: ops");
    const claim = renderHarvesterTarget(parseModel(text)).objects[0] as any;
    expect(claim.spec.userName).toBe("ops");
  });
});

describe("harvester target, --as-patch", () => {
  const output = renderHarvesterTarget(lab, { asPatch: true });
  const file = (path: string) => output.files.find((candidate) => candidate.path === path)?.content ?? "";

  it("gives the claims, the seed's merge patch attaching only the VGA function, and a runbook", () => {
    expect(output.objects.map((object) => object.metadata.name)).toEqual([
      "altra-000c01000",
      "altra-000c01001",
    ]);
    expect(output.files.map((candidate) => candidate.path)).toEqual([
      "patches/vm-docker-host-gpu.patch.json",
      "attach-gpus.sh",
    ]);
    expect(JSON.parse(file("patches/vm-docker-host-gpu.patch.json"))).toEqual({
      spec: {
        template: {
          spec: {
            domain: {
              devices: {
                hostDevices: [{ name: "rtx3090", deviceName: "nvidia.com/GA102_GEFORCE_RTX_3090" }],
              },
            },
          },
        },
      },
    });
  });

  it("orders the runbook: apply claims, wait for passthroughEnabled, patch, restart the VMI", () => {
    const commands = file("attach-gpus.sh")
      .split("\n")
      .filter((line) => line.startsWith("kubectl"));
    expect(commands).toEqual([
      "kubectl apply -k .",
      "kubectl wait --for=jsonpath='{.status.passthroughEnabled}'=true --timeout=5m \\",
      "kubectl -n default patch vm docker-host --type merge --patch-file patches/vm-docker-host-gpu.patch.json",
      "kubectl -n default delete vmi docker-host --ignore-not-found",
    ]);
    expect(file("attach-gpus.sh")).toContain("pcideviceclaims.devices.harvesterhci.io/altra-000c01001");
  });
});

describe("harvester device names", () => {
  it("names PCIDevices <node>-<address without punctuation>", () => {
    expect(pciDeviceName("altra", "000c:01:00.1")).toBe("altra-000c01001");
    expect(pciDeviceName("node-2", "0000:65:00.0")).toBe("node-2-000065000");
  });

  it("derives resource names from pci.ids names as Harvester's controller does", () => {
    expect(harvesterResourceName("NVIDIA Corporation", "GA102 [GeForce RTX 3090]", "2204")).toBe(
      "nvidia.com/GA102_GEFORCE_RTX_3090",
    );
    expect(
      harvesterResourceName("NVIDIA Corporation", "GA102 High Definition Audio Controller", "1aef"),
    ).toBe("nvidia.com/GA102_HIGH_DEFINITION_AUDIO_CONTROLLER");
    // A bracketed vendor name gives the part before "/": Advanced Micro Devices, Inc. [AMD/ATI] → amd.com.
    expect(harvesterVendorDomain("Advanced Micro Devices, Inc. [AMD/ATI]")).toBe("amd.com");
    expect(harvesterProductName("Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]")).toBe(
      "NAVI_21_RADEON_RX_6800_6800_XT___6900_XT",
    );
    expect(harvesterProductName("TU104 HD Audio Controller.")).toBe("TU104_HD_AUDIO_CONTROLLER");
  });

  it("falls back to the device ID when the plugin's socket name would be too long", () => {
    const long = "Ethernet Controller E810-XXV for backplane with a very long marketing name attached";
    expect(harvesterResourceName("Intel Corporation", long, "1599")).toBe("intel.com/1599");
    const vf = "Ethernet Adaptive Virtual Function"; // short enough either way
    expect(harvesterResourceName("Intel Corporation", vf, "1889")).toBe(
      "intel.com/ETHERNET_ADAPTIVE_VIRTUAL_FUNCTION",
    );
    const longVf = "Ethernet Controller E810 Series Adaptive Virtual Function";
    expect(harvesterResourceName("Intel Corporation", longVf, "1889")).toBe(
      "intel.com/ETHERNET_CONTROLLER_E810_SERIES_ADAPTIVE_VF",
    );
  });

  it("uses the PCIDevice names when the whole group is attached (as Harvester's UI does)", () => {
    const text = exampleText("harvester-docker-host").replace("attach: false", "attach: true");
    const patch = renderHarvesterTarget(parseModel(text), { asPatch: true }).files[0]?.content ?? "";
    expect(JSON.parse(patch).spec.template.spec.domain.devices.hostDevices).toEqual([
      { name: "altra-000c01000", deviceName: "nvidia.com/GA102_GEFORCE_RTX_3090" },
      { name: "altra-000c01001", deviceName: "nvidia.com/GA102_HIGH_DEFINITION_AUDIO_CONTROLLER" },
    ]);
  });

  it("points at each function whose Harvester resource name cannot be known", () => {
    const text = exampleText("harvester-docker-host")
      .replace(/product: .*?(?=,| })/, "resource: nvidia.com/x")
      .replace("product: GA102 High Definition Audio Controller", "");
    let error: unknown;
    try {
      renderHarvesterTarget(parseModel(text, "lab.yaml"));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const [problem] = (error as InputError).problems;
    expect(problem?.path).toBe("hosts.altra.gpus.rtx3090.functions.1");
    expect(problem?.message).toContain("give resource");
    expect(problem?.line).toBeGreaterThan(1);
  });
});
