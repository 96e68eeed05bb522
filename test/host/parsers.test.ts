import { describe, expect, it } from "vitest";
import { parseCmdline } from "../../src/host/cmdline.js";
import { parseCpuinfo } from "../../src/host/cpuinfo.js";
import { parseDracutConf, parseInitramfsModules, parseModprobeConf } from "../../src/host/early-binding.js";
import { framebufferHolderFromIomem, parseProcFb } from "../../src/host/framebuffer.js";
import { normalizePciAddress, roleOfClass } from "../../src/host/pci-address.js";

describe("kernel command line", () => {
  it("reads IOMMU switches and vfio-pci ids as seed 000 sets them", () => {
    const c = parseCmdline(
      "BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt vfio-pci.ids=10de:2206,10DE:1aef\n",
    );
    expect(c.intelIommu).toBe("on");
    expect(c.iommu).toBe("pt");
    expect(c.amdIommu).toBeNull();
    expect(c.vfioPciIds).toEqual(["10de:2206", "10de:1aef"]);
  });

  it("accepts vfio_pci.ids and lets the last value of a key win", () => {
    const c = parseCmdline(
      "amd_iommu=off amd_iommu=on vfio_pci.ids=1002:73bf pcie_acs_override=downstream,multifunction",
    );
    expect(c.amdIommu).toBe("on");
    expect(c.vfioPciIds).toEqual(["1002:73bf"]);
    expect(c.pcieAcsOverride).toBe("downstream,multifunction");
  });

  it("notices framebuffers switched off", () => {
    expect(parseCmdline("video=efifb:off initcall_blacklist=sysfb_init").framebufferOff).toHaveLength(2);
  });
});

describe("cpuinfo", () => {
  it("tells Intel VT-x, AMD-V and arm64 apart", () => {
    expect(parseCpuinfo("processor : 0\nvendor_id : GenuineIntel\nflags : fpu vmx ept\n")).toMatchObject({
      vendor: "intel",
      virtualizationFlag: "vmx",
      logicalCpus: 1,
    });
    expect(
      parseCpuinfo("processor : 0\nvendor_id : AuthenticAMD\nflags : fpu svm\n").virtualizationFlag,
    ).toBe("svm");
    expect(parseCpuinfo("processor : 0\nFeatures : fp asimd\nCPU implementer : 0x41\n")).toMatchObject({
      vendor: "arm",
      virtualizationFlag: null,
    });
  });

  it("reports no flag when virtualisation is hidden (a VM without nesting)", () => {
    expect(parseCpuinfo("vendor_id : GenuineIntel\nflags : fpu hypervisor\n").virtualizationFlag).toBeNull();
  });
});

describe("early binding files", () => {
  it("reads vfio-pci options, softdeps and blacklists from modprobe.d", () => {
    const r = parseModprobeConf(
      "# comment\noptions vfio-pci ids=10de:2206,10de:1aef disable_vga=1\nsoftdep nvidia pre: vfio-pci\nsoftdep drm pre: other\nblacklist nouveau\n",
    );
    expect(r.modprobeVfioIds).toEqual(["10de:2206", "10de:1aef"]);
    expect(r.softdeps).toEqual(["nvidia"]);
    expect(r.blacklisted).toEqual(["nouveau"]);
  });

  it("finds vfio modules in initramfs-tools and dracut files", () => {
    expect(
      parseInitramfsModules("vfio\n# vfio_pci\nvfio_iommu_type1\nvfio_pci ids=10de:2206\nbtrfs\n"),
    ).toEqual(["vfio", "vfio_iommu_type1", "vfio_pci"]);
    expect(
      parseDracutConf('force_drivers+=" vfio vfio_iommu_type1 vfio_pci "\nadd_drivers+="nvme"\n'),
    ).toEqual(["vfio", "vfio_iommu_type1", "vfio_pci"]);
  });
});

describe("framebuffer", () => {
  it("finds the PCI device whose memory efifb sits in", () => {
    const iomem = [
      "00000000-00000fff : Reserved",
      "e0000000-f1ffffff : PCI Bus 0000:00",
      "  e0000000-efffffff : PCI Bus 0000:09",
      "    e0000000-efffffff : 0000:09:00.0",
      "      e0000000-e07e8fff : efifb",
      "  f0000000-f0ffffff : 0000:0a:00.0",
    ].join("\n");
    expect(framebufferHolderFromIomem(iomem)).toEqual({ holder: "0000:09:00.0", drivers: ["efifb"] });
    expect(parseProcFb("0 EFI VGA\n1 nvidia-drmdrmfb\n")).toEqual([
      { index: 0, name: "EFI VGA" },
      { index: 1, name: "nvidia-drmdrmfb" },
    ]);
  });
});

describe("PCI addresses and classes", () => {
  it("normalises lspci's short form and rejects junk", () => {
    expect(normalizePciAddress("09:00.0")).toBe("0000:09:00.0");
    expect(normalizePciAddress("000C:01:00.1")).toBe("000c:01:00.1");
    expect(normalizePciAddress("9:0.0")).toBeNull();
  });

  it("tells bridges from endpoints", () => {
    expect(roleOfClass("060400")).toBe("pci-bridge");
    expect(roleOfClass("060000")).toBe("host-bridge");
    expect(roleOfClass("030200")).toBe("display");
    expect(roleOfClass("040300")).toBe("audio");
    expect(roleOfClass("010601")).toBe("other");
  });
});
