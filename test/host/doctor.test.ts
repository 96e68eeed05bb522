import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDoctorReport } from "../../src/host/doctor/format.js";
import { runDoctor } from "../../src/host/doctor/run.js";
import type { DoctorReport } from "../../src/host/doctor/types.js";
import { scanHost } from "../../src/host/scan.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import type { MachineSpec } from "../fixtures/hosts/spec.js";
import { scanOf, tree } from "./helpers.js";

function doctor(spec: MachineSpec): DoctorReport {
  return runDoctor(scanOf(spec));
}

/** `{ "iommu": "ok", "gpu-group 0000:09:00.0": "fail", … }` */
function verdicts(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.subject ? `${c.id} ${c.subject}` : c.id, c.verdict]));
}

function check(report: DoctorReport, id: string, subject?: string) {
  const c = report.checks.find((x) => x.id === id && x.subject === subject);
  if (!c) throw new Error(`no check ${id} ${subject ?? ""}`);
  return c;
}

describe("host doctor", () => {
  it("tower1 before preparation: GPU held by nvidia and efifb, not bound at boot", () => {
    const r = doctor(MACHINES.desktopRtx3080);
    expect(verdicts(r)).toEqual({
      virtualization: "ok",
      iommu: "ok",
      "vfio-module": "warn",
      "gpu-group 0000:09:00.0": "ok",
      "gpu-driver 0000:09:00.0": "fail",
      "gpu-framebuffer 0000:09:00.0": "fail",
      "gpu-reset 0000:09:00.0": "ok",
      "gpu-early-binding 0000:09:00.0": "warn",
    });
    expect(check(r, "gpu-driver", "0000:09:00.0").detail).toContain(
      "0000:09:00.0 on nvidia, 0000:09:00.1 on snd_hda_intel",
    );
    expect(check(r, "gpu-framebuffer", "0000:09:00.0").fix).toContain("video=efifb:off");
    expect(check(r, "gpu-early-binding", "0000:09:00.0").fix).toContain("vfio-pci.ids=10de:2206,10de:1aef");
    expect(check(r, "gpu-group", "0000:09:00.0").detail).toContain("bridges 0000:00:01.0 stay with the host");
    expect(r.summary).toEqual({ ok: 4, warn: 2, fail: 2 });
  });

  it("tower1 after vfio binding: everything ok", () => {
    const r = doctor(MACHINES.desktopRtx3080Vfio);
    expect(r.summary).toEqual({ ok: 8, warn: 0, fail: 0 });
  });

  it("Ampere Altra: virtualisation through /dev/kvm without vmx/svm, GPU group 18 complete, BMC display left alone", () => {
    const r = doctor(MACHINES.altraRtx3090);
    const v = verdicts(r);
    expect(v.virtualization).toBe("ok");
    expect(check(r, "virtualization").detail).toContain("arm64");
    expect(v["gpu-group 000c:01:00.0"]).toBe("ok");
    expect(check(r, "gpu-group", "000c:01:00.0").detail).toContain("group 18: 000c:01:00.0, 000c:01:00.1");
    expect(v["gpu-driver 000c:01:00.0"]).toBe("ok");
    expect(v["host-display 0004:02:00.0"]).toBe("ok");
    expect(v["gpu-driver 0004:02:00.0"]).toBeUndefined();
  });

  it("H100 server: a lone 3D controller with FLR, not the boot GPU", () => {
    const r = doctor(MACHINES.serverH100);
    const v = verdicts(r);
    expect(v["gpu-group 0000:1b:00.0"]).toBe("ok");
    expect(v["gpu-reset 0000:1b:00.0"]).toBe("ok");
    expect(v["gpu-framebuffer 0000:1b:00.0"]).toBe("ok");
    expect(v["gpu-driver 0000:1b:00.0"]).toBe("fail");
    expect(check(r, "gpu-early-binding", "0000:1b:00.0").fix).toContain("vfio-pci.ids=10de:2330");
  });

  it("consumer board without ACS: the group's SATA controller and NIC block passthrough", () => {
    const r = doctor(MACHINES.consumerNoAcs);
    const group = check(r, "gpu-group", "0000:05:00.0");
    expect(group.verdict).toBe("fail");
    expect(group.detail).toContain("0000:02:00.1 400 Series Chipset SATA Controller (ahci)");
    expect(group.detail).toContain(
      "0000:04:00.0 RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller (r8169)",
    );
    expect(group.detail).not.toContain("0000:03:00.0"); // a bridge, not a blocker
    expect(group.fix).toContain("pcie_acs_override=downstream,multifunction");
    expect(group.fix).toContain("isolation is lost");
    // Early binding must never suggest binding the SATA controller or the NIC by id.
    expect(check(r, "gpu-early-binding", "0000:05:00.0").fix).not.toMatch(/1022:43c8|10ec:8168/);
    expect(check(r, "gpu-framebuffer", "0000:05:00.0").verdict).toBe("warn");
  });

  it("IOMMU off: fails with the Intel kernel arguments", () => {
    const r = doctor(MACHINES.iommuOff);
    const iommu = check(r, "iommu");
    expect(iommu.verdict).toBe("fail");
    expect(iommu.fix).toContain("intel_iommu=on iommu=pt");
    expect(check(r, "gpu-group", "0000:09:00.0").verdict).toBe("fail");
    // Without groups the card's audio function is still named as part of the GPU.
    expect(check(r, "gpu-driver", "0000:09:00.0").detail).toContain("0000:09:00.1 on snd_hda_intel");
  });

  it("AMD with amd_iommu=on: IOMMU ok, the no-reset warning, AMD driver named", () => {
    const r = doctor(MACHINES.amdNavi21);
    expect(check(r, "iommu").verdict).toBe("ok");
    const reset = check(r, "gpu-reset", "0000:0b:00.0");
    expect(reset.verdict).toBe("warn");
    expect(reset.detail).toContain("reset bug");
    expect(reset.fix).toContain("vendor-reset");
    expect(check(r, "gpu-driver", "0000:0b:00.0").detail).toContain("on amdgpu");
  });

  it("AMD with the IOMMU off asks for the AMD kernel argument", () => {
    const r = doctor({
      ...MACHINES.amdNavi21,
      iommuUnits: [],
      cmdline: "ro quiet",
      devices: MACHINES.amdNavi21.devices.map((d) => ({ ...d, iommuGroup: undefined })),
    });
    expect(check(r, "iommu").fix).toContain("amd_iommu=on iommu=pt");
  });

  it("IOMMU asked for on the command line but disabled in firmware", () => {
    const r = doctor({ ...MACHINES.iommuOff, cmdline: "ro intel_iommu=on" });
    expect(check(r, "iommu").fix).toContain("enable VT-d in the firmware");
  });

  it("no virtualisation at all", () => {
    const r = doctor({
      ...MACHINES.desktopRtx3080,
      kvm: false,
      cpu: { ...MACHINES.desktopRtx3080.cpu, flags: ["fpu"] },
    });
    expect(check(r, "virtualization")).toMatchObject({ verdict: "fail" });
    expect(check(r, "virtualization").fix).toContain("Intel VT-x");
  });

  it("modprobe.d ids without softdeps or initramfs: warns about the boot race", () => {
    const r = doctor({
      ...MACHINES.desktopRtx3080,
      files: { "etc/modprobe.d/vfio.conf": "options vfio-pci ids=10de:2206,10de:1aef\n" },
    });
    const eb = check(r, "gpu-early-binding", "0000:09:00.0");
    expect(eb.verdict).toBe("warn");
    expect(eb.detail).toContain("no softdep nvidia, nouveau, snd_hda_intel pre: vfio-pci");
    expect(eb.detail).toContain("vfio_pci is not in the initramfs");
  });

  it("prints a table with each next step", () => {
    const text = formatDoctorReport(doctor(MACHINES.desktopRtx3080));
    expect(text).toMatch(/^FAIL\s+gpu-framebuffer 0000:09:00.0\s+efifb holds/m);
    expect(text).toMatch(/^\s+next: add the kernel argument video=efifb:off/m);
    expect(text).toContain("tower1: 4 ok, 2 warn, 2 fail");
  });

  it("a damaged tree gives unknown values and a scan warning, never a crash", () => {
    const root = tree(MACHINES.desktopRtx3080Vfio);
    const gpu = fs.realpathSync(path.join(root, "sys/bus/pci/devices/0000:09:00.0"));
    fs.rmSync(path.join(gpu, "reset_method"));
    fs.mkdirSync(path.join(gpu, "reset_method"));
    const r = runDoctor(scanHost({ root }));
    expect(check(r, "gpu-reset", "0000:09:00.0")).toMatchObject({
      verdict: "warn",
      detail: expect.stringContaining("unknown"),
    });
    expect(check(r, "scan").detail).toContain(
      "sys/bus/pci/devices/0000:09:00.0/reset_method: is a directory",
    );
  });

  it("runs on this machine's own root", () => {
    const r = runDoctor(scanHost({ root: "/" }));
    expect(r.checks.map((c) => c.id)).toContain("iommu");
    expect(r.summary.ok + r.summary.warn + r.summary.fail).toBe(r.checks.length);
  });
});
