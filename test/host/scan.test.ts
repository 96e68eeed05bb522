import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fsReader, type HostReader } from "../../src/host/reader.js";
import { scanHost } from "../../src/host/scan.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import { tempDir } from "../support/temp.js";
import { device, scanOf, tree } from "./helpers.js";

describe("scan of tower1 (RTX 3080 on nvidia)", () => {
  const scan = scanOf(MACHINES.desktopRtx3080);

  it("reads every PCI function with ids, names, driver and group", () => {
    expect(scan.devices).toHaveLength(8);
    expect(device(scan, "0000:09:00.0")).toMatchObject({
      id: "10de:2206",
      subsystemVendorId: "1462",
      subsystemDeviceId: "3892",
      classCode: "030000",
      role: "display",
      deviceName: "GA102 [GeForce RTX 3080]",
      driver: "nvidia",
      driverOverride: null,
      bootVga: true,
      resetMethods: ["bus"],
      numaNode: null,
      iommuGroup: 1,
      unknown: [],
    });
    expect(device(scan, "0000:09:00.1")).toMatchObject({
      id: "10de:1aef",
      role: "audio",
      driver: "snd_hda_intel",
    });
  });

  it("lists the group with its root port apart from the GPU functions", () => {
    const g = scan.iommuGroups.find((x) => x.id === 1);
    expect(g).toEqual({
      id: 1,
      members: ["0000:00:01.0", "0000:09:00.0", "0000:09:00.1"],
      endpoints: ["0000:09:00.0", "0000:09:00.1"],
      bridges: ["0000:00:01.0"],
    });
  });

  it("reads the platform: cpu, cmdline, kvm, vfio module, framebuffer", () => {
    expect(scan.hostname).toBe("tower1");
    expect(scan.cpu).toMatchObject({ vendor: "intel", virtualizationFlag: "vmx", logicalCpus: 16 });
    expect(scan.memoryBytes).toBe(32_768_000 * 1024);
    expect(scan.cmdline).toMatchObject({ intelIommu: "on", iommu: "pt", vfioPciIds: [] });
    expect(scan.kvm).toBe(true);
    expect(scan.vfioPciLoaded).toBe(false);
    expect(scan.framebuffer).toMatchObject({
      firmwareDrivers: ["efifb"],
      holder: "0000:09:00.0",
      boundConsoles: ["vtcon1"],
    });
    expect(scan.issues).toEqual([]);
  });
});

describe("scan of other machines", () => {
  it("after vfio binding: drivers, module and early-binding files", () => {
    const scan = scanOf(MACHINES.desktopRtx3080Vfio);
    expect(device(scan, "0000:09:00.0").driver).toBe("vfio-pci");
    expect(scan.vfioPciLoaded).toBe(true);
    expect(scan.cmdline?.vfioPciIds).toEqual(["10de:2206", "10de:1aef"]);
    expect(scan.earlyBinding).toMatchObject({
      modprobeVfioIds: ["10de:2206", "10de:1aef"],
      softdeps: ["nvidia", "nouveau", "snd_hda_intel"],
      initramfsModules: ["vfio", "vfio_iommu_type1", "vfio_pci"],
    });
    expect(scan.framebuffer.firmwareDrivers).toEqual([]);
  });

  it("Ampere Altra: domain 000c, group 18, arm cpu without vmx/svm", () => {
    const scan = scanOf(MACHINES.altraRtx3090);
    expect(scan.cpu).toMatchObject({ vendor: "arm", virtualizationFlag: null, logicalCpus: 80 });
    expect(scan.iommuGroups.find((g) => g.id === 18)?.members).toEqual(["000c:01:00.0", "000c:01:00.1"]);
    expect(device(scan, "000c:01:00.0")).toMatchObject({
      deviceName: "GA102 [GeForce RTX 3090]",
      numaNode: 0,
    });
  });

  it("H100: a 3D controller with no boot_vga file", () => {
    const scan = scanOf(MACHINES.serverH100);
    expect(device(scan, "0000:1b:00.0")).toMatchObject({
      role: "display",
      bootVga: null,
      resetMethods: ["flr", "bus"],
    });
  });

  it("IOMMU off and no pci.ids: no groups, ids instead of names", () => {
    const scan = scanOf(MACHINES.iommuOff);
    expect(scan.iommuGroups).toEqual([]);
    expect(scan.pciIdsSource).toBeNull();
    expect(device(scan, "0000:09:00.0")).toMatchObject({
      id: "10de:2206",
      deviceName: null,
      iommuGroup: null,
    });
  });

  it("a device without reset_method has no reset", () => {
    const scan = scanOf(MACHINES.amdNavi21);
    expect(device(scan, "0000:0b:00.0").resetMethods).toEqual([]);
    expect(scan.earlyBinding.dracutDrivers).toEqual(["vfio", "vfio_iommu_type1", "vfio_pci"]);
  });
});

describe("scan of this machine", () => {
  it("reports what is really there without failing", () => {
    const scan = scanHost({ root: "/" });
    const real = fs.existsSync("/sys/bus/pci/devices") ? fs.readdirSync("/sys/bus/pci/devices") : [];
    expect(scan.devices.map((d) => d.address).sort()).toEqual(real.sort());
    const groups = fs.existsSync("/sys/kernel/iommu_groups")
      ? fs.readdirSync("/sys/kernel/iommu_groups")
      : [];
    expect(scan.iommuGroups).toHaveLength(groups.length);
    expect(scan.kvm).toBe(fs.existsSync("/dev/kvm"));
  });
});

describe("damaged trees", () => {
  it("reports unreadable values as unknown and says what it could not read", () => {
    const root = tree(MACHINES.desktopRtx3080);
    const gpu = fs.realpathSync(path.join(root, "sys/bus/pci/devices/0000:09:00.0"));
    // A directory where a file is expected.
    fs.rmSync(path.join(gpu, "class"));
    fs.mkdirSync(path.join(gpu, "class"));
    // A missing attribute is simply absent.
    fs.rmSync(path.join(gpu, "numa_node"));
    // A dangling device link and a dangling group member.
    fs.symlinkSync(
      "../../../devices/pci0000:00/0000:00:1c.0",
      path.join(root, "sys/bus/pci/devices/0000:00:1c.0"),
    );
    fs.symlinkSync(
      "../../../../devices/nowhere",
      path.join(root, "sys/kernel/iommu_groups/5/devices/0000:0b:00.0"),
    );

    const scan = scanHost({ root });
    const d = device(scan, "0000:09:00.0");
    expect(d.classCode).toBeNull();
    expect(d.unknown).toEqual(["class"]);
    expect(d.numaNode).toBeNull();
    expect(scan.issues).toContainEqual({
      path: "sys/bus/pci/devices/0000:09:00.0/class",
      reason: "is a directory, expected a file",
    });
    expect(scan.issues).toContainEqual({ path: "sys/bus/pci/devices/0000:00:1c.0", reason: "dangling link" });
    expect(device(scan, "0000:00:1c.0").unknown).toEqual(["device directory"]);
    // The dangling member still counts as an endpoint of its group: assuming otherwise would be unsafe.
    expect(scan.iommuGroups.find((g) => g.id === 5)?.endpoints).toContain("0000:0b:00.0");
  });

  it("reports permission errors from the reader (tests run as root, so they are injected)", () => {
    const root = tree(MACHINES.desktopRtx3080);
    const real = fsReader(root);
    const denied = (rel: string) => rel.endsWith("0000:09:00.0/driver_override") || rel === "proc/cmdline";
    const reader: HostReader = {
      ...real,
      readText: (rel) =>
        denied(rel) ? { ok: false, missing: false, reason: "permission denied" } : real.readText(rel),
    };
    const scan = scanHost({ reader });
    expect(scan.cmdline).toBeNull();
    expect(device(scan, "0000:09:00.0").unknown).toEqual(["driver_override"]);
    expect(scan.issues).toEqual([
      { path: "sys/bus/pci/devices/0000:09:00.0/driver_override", reason: "permission denied" },
      { path: "proc/cmdline", reason: "permission denied" },
    ]);
  });

  it("scans an empty directory without crashing", () => {
    const root = tempDir("gpuvm-empty-");
    const scan = scanHost({ root });
    expect(scan.devices).toEqual([]);
    expect(scan.issues).toEqual([{ path: "sys/bus/pci/devices", reason: "does not exist" }]);
  });
});
