// What `gpuvm host bind` may take from the host: only the GPU card by itself, other group members
// only when named, and never a disk, a network or a console the host is using, nor a device a VM holds.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readHostUse } from "../../src/host/in-use/index.js";
import { fsReader } from "../../src/host/reader.js";
import { scanHost } from "../../src/host/scan.js";
import { applyPlan } from "../../src/host/vfio/apply.js";
import { inspectHost } from "../../src/host/vfio/inspect.js";
import { planBind, planUnbind } from "../../src/host/vfio/plan.js";
import { readState, STATE_FILE, serializeState } from "../../src/host/vfio/state.js";
import { usesOf } from "../../src/host/vfio/uses.js";
import { fsWriter } from "../../src/host/vfio/writer.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import type { DeviceSpec, MachineSpec } from "../fixtures/hosts/spec.js";
import { device, tree } from "./helpers.js";
import { kernelSimWriter, loggingWriter } from "./kernel-sim.js";

const NOW = "2025-11-29T14:00:00.000Z";

/** tower1 on a board whose group 1 also holds the chipset's USB controller and LPC bridge. */
const tower1WideGroup: MachineSpec = {
  ...MACHINES.desktopRtx3080,
  vfioPciLoaded: true,
  devices: MACHINES.desktopRtx3080.devices.map((d) =>
    d.address === "0000:00:14.0" || d.address === "0000:00:1f.0" ? { ...d, iommuGroup: 1 } : d,
  ),
};

/** The budget board (SATA, NIC and GPU in group 13) with its disk mounted and its NIC up. */
const budgetInUse: MachineSpec = {
  ...MACHINES.consumerNoAcs,
  vfioPciLoaded: true,
  disks: [{ name: "sda", pciDevice: "0000:02:00.1", partitions: ["sda1", "sda2", "sda3"] }],
  mounts: [
    { device: "/dev/sda2", mountpoint: "/" },
    { device: "/dev/sda1", mountpoint: "/boot/efi" },
  ],
  swaps: ["/dev/sda3"],
  net: [{ name: "enp4s0", pciDevice: "0000:04:00.0", up: true }],
};

const STRANGERS = ["0000:02:00.1", "0000:04:00.0"];

/** Applies a plan through a logging writer; returns the error (if any) and the writes that happened. */
function tryApply(root: string, plan: ReturnType<typeof planBind>) {
  const writer = loggingWriter(fsWriter(root));
  let error: Error | undefined;
  try {
    applyPlan(plan, { root, writer });
  } catch (e) {
    error = e as Error;
  }
  return { error, writes: writer.log.map((w) => `${w.path} <- ${w.value}`) };
}

describe("bind moves the GPU card, and other group members only when named", () => {
  it("the board's USB controller and LPC bridge in the GPU's group are refused, and nothing is written", () => {
    const root = tree(tower1WideGroup);
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true, now: NOW });
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toContain(
      "IOMMU group 1 also holds 0000:00:14.0 Cannon Lake PCH USB 3.1 xHCI Host Controller (xhci_hcd), 0000:00:1f.0 Z390 Chipset LPC/eSPI Controller, not part of the GPU card",
    );
    expect(plan.functions.map((f) => f.address)).toEqual(["0000:09:00.0", "0000:09:00.1"]);
    const r = tryApply(root, plan);
    expect(r.error?.message).toMatch(/^refusing to bind 0000:09:00.0/);
    expect(r.writes).toEqual([]);
    expect(fs.existsSync(path.join(root, STATE_FILE))).toBe(false);
  });

  it("--also takes exactly the named addresses; with both named, they go to vfio-pci and are recorded", () => {
    const root = tree(tower1WideGroup);
    const one = planBind(inspectHost(root), "0000:09:00.0", { force: true, also: ["00:14.0"] });
    expect(one.refusals.join("\n")).toContain(
      "also holds 0000:00:1f.0 Z390 Chipset LPC/eSPI Controller, not part",
    );
    expect(one.refusals.join("\n")).not.toContain("0000:00:14.0");

    const writer = kernelSimWriter(root, {});
    const both = planBind(inspectHost(root), "0000:09:00.0", {
      force: true,
      also: ["0000:00:14.0", "0000:00:1f.0"],
      now: NOW,
    });
    expect(both.refusals).toEqual([]);
    applyPlan(both, { root, writer });
    const after = scanHost({ root });
    for (const a of ["0000:09:00.0", "0000:09:00.1", "0000:00:14.0", "0000:00:1f.0"])
      expect(device(after, a).driver, a).toBe("vfio-pci");
    expect(readState(root).bindings["0000:00:14.0"]?.originalDriver).toBe("xhci_hcd");
  });

  it("a card's own USB-C (0x0c03) and UCSI (0x0c80) functions go with it without being named", () => {
    const turing: DeviceSpec[] = [
      { address: "0000:09:00.2", id: "10de:1ad8", class: "0c0330", driver: "xhci_hcd", iommuGroup: 1 },
      { address: "0000:09:00.3", id: "10de:1ad9", class: "0c8000", driver: "nvidia-gpu", iommuGroup: 1 },
    ].map((d) => ({ ...d, parent: "0000:00:01.0" }));
    const root = tree({ ...tower1WideGroup, devices: [...MACHINES.desktopRtx3080.devices, ...turing] });
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(plan.refusals).toEqual([]);
    expect(plan.functions.map((f) => f.address)).toEqual([
      "0000:09:00.0",
      "0000:09:00.1",
      "0000:09:00.2",
      "0000:09:00.3",
    ]);
  });

  it("--also cannot name a bridge (it stays with the host) or an address outside the group", () => {
    const root = tree({ ...MACHINES.desktopRtx3080, vfioPciLoaded: true });
    const plan = planBind(inspectHost(root), "0000:09:00.0", {
      force: true,
      also: ["0000:00:01.0", "0000:0a:00.0"],
    });
    expect(plan.refusals).toEqual([
      "--also 0000:00:01.0: it is a bridge (PCI bridge), which stays with the host (vfio-pci does not need the group's bridges)",
      "--also 0000:0a:00.0: not a member of IOMMU group 1 of 0000:09:00.0",
    ]);
  });
});

describe("bind refuses what the host is using, even when named", () => {
  it("a SATA controller with / mounted and swap on its disk, and a NIC that is up: each named with what it would take", () => {
    const root = tree(budgetInUse);
    const plan = planBind(inspectHost(root), "0000:05:00.0", { force: true, also: STRANGERS });
    expect(plan.refusals).toEqual([
      "unbinding 0000:02:00.1 (SATA controller) would take away /dev/sda2, mounted at /",
      "unbinding 0000:02:00.1 (SATA controller) would take away /dev/sda1, mounted at /boot/efi",
      "unbinding 0000:02:00.1 (SATA controller) would take away /dev/sda3, used as swap",
      "unbinding 0000:04:00.0 (Ethernet controller) would take away network interface enp4s0, which is up",
    ]);
    const r = tryApply(root, plan);
    expect(r.error?.message).toContain("refusing to bind 0000:05:00.0");
    expect(r.writes).toEqual([]);
    expect(fs.readFileSync(path.join(root, "sys/bus/pci/devices/0000:02:00.1/driver_override"), "utf8")).toBe(
      "(null)\n",
    );
  });

  it("the same controllers, idle (disk not mounted, interface down), may go when named", () => {
    const root = tree({
      ...budgetInUse,
      mounts: [],
      swaps: [],
      net: [{ name: "enp4s0", pciDevice: "0000:04:00.0", up: false }],
    });
    const plan = planBind(inspectHost(root), "0000:05:00.0", { force: true, also: STRANGERS });
    expect(plan.refusals).toEqual([]);
    expect(plan.writes.map((w) => `${w.path} <- ${w.value}`)).toContain(
      "sys/bus/pci/drivers/ahci/unbind <- 0000:02:00.1",
    );
  });

  it("LVM on the disk: the mapper device is named with the partition it is on (mountinfo's device numbers)", () => {
    const root = tree({
      ...budgetInUse,
      disks: [
        { name: "sda", pciDevice: "0000:02:00.1", partitions: ["sda1", "sda2"] },
        { name: "dm-0", dmName: "vg-root", slaves: ["sda2"] },
      ],
      mounts: [{ device: "/dev/mapper/vg-root", mountpoint: "/srv/data dir" }],
      swaps: [],
      net: [],
    });
    const plan = planBind(inspectHost(root), "0000:05:00.0", { force: true, also: STRANGERS });
    expect(plan.refusals).toEqual([
      "unbinding 0000:02:00.1 (SATA controller) would take away /dev/mapper/vg-root (on /dev/sda2), mounted at /srv/data dir",
    ]);
  });

  it("an NVMe disk, found through /proc/mounts when there is no mountinfo", () => {
    const nvme: DeviceSpec = {
      address: "0000:04:00.0",
      id: "144d:a808",
      class: "010802",
      driver: "nvme",
      iommuGroup: 13,
      parent: "0000:03:00.0",
    };
    const root = tree({
      ...budgetInUse,
      devices: MACHINES.consumerNoAcs.devices.map((d) => (d.address === "0000:04:00.0" ? nvme : d)),
      disks: [{ name: "nvme0n1", pciDevice: "0000:04:00.0", partitions: ["nvme0n1p1"] }],
      mounts: [{ device: "/dev/nvme0n1p1", mountpoint: "/home" }],
      mountTable: "mounts",
      swaps: [],
      net: [],
    });
    const plan = planBind(inspectHost(root), "0000:05:00.0", { force: true, also: STRANGERS });
    expect(plan.refusals).toEqual([
      "unbinding 0000:04:00.0 (Mass storage controller) would take away /dev/nvme0n1p1, mounted at /home",
    ]);
  });

  it("without any mount table, a controller with disks behind it is refused: nobody can tell it is unused", () => {
    const root = tree({ ...budgetInUse, mountTable: "none", swaps: [], net: [] });
    const plan = planBind(inspectHost(root), "0000:05:00.0", { force: true, also: STRANGERS });
    expect(plan.refusals).toEqual([
      "0000:02:00.1 (SATA controller) has /dev/sda, /dev/sda1, /dev/sda2, /dev/sda3 behind it, and no mount table (proc/self/mountinfo, proc/mounts) could be read to tell whether the host uses them",
    ]);
  });

  it("the console on a (non-boot) GPU's framebuffer is refused unless --force", () => {
    const navi = MACHINES.amdNavi21;
    const root = tree({
      ...navi,
      vfioPciLoaded: true,
      devices: navi.devices.map((d) => (d.address === "0000:0b:00.0" ? { ...d, bootVga: false } : d)),
      framebuffers: [{ name: "fb0", pciDevice: "0000:0b:00.0" }],
    });
    const host = inspectHost(root);
    expect(planBind(host, "0000:0b:00.0").refusals).toEqual([
      "unbinding 0000:0b:00.0 (VGA compatible controller) would take away the host console (vtcon0) drawn on its framebuffer fb0; use --force to do it anyway",
    ]);
    const forced = planBind(host, "0000:0b:00.0", { force: true });
    expect(forced.refusals).toEqual([]);
    expect(forced.warnings[0]).toContain("drawn on its framebuffer fb0 (--force given)");
  });

  it("a desktop session or a CUDA job using the GPU through its host driver: refused, --force and all", () => {
    const root = tree({
      ...MACHINES.desktopRtx3080,
      vfioPciLoaded: true,
      drm: [
        { name: "card0", pciDevice: "0000:09:00.0" },
        { name: "renderD128", pciDevice: "0000:09:00.0" },
      ],
      nvidiaGpus: [{ address: "0000:09:00.0", minor: 0 }],
      processes: [
        { pid: 1500, comm: "Xorg", fds: ["/dev/dri/card0", "/dev/tty7"] },
        { pid: 2600, comm: "python3", fds: ["/dev/nvidiactl", "/dev/nvidia0", "/dev/nvidia-uvm"] },
        { pid: 2700, comm: "bash", fds: ["/dev/pts/0"] },
      ],
    });
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(plan.refusals).toEqual([
      "unbinding 0000:09:00.0 (VGA compatible controller) would take away /dev/dri/card0, open in process 1500 (Xorg)",
      "unbinding 0000:09:00.0 (VGA compatible controller) would take away /dev/nvidia0, open in process 2600 (python3)",
    ]);
  });

  it("--force gives up a console, never a mounted disk", () => {
    const root = tree(budgetInUse);
    const plan = planBind(inspectHost(root), "0000:05:00.0", { force: true, also: STRANGERS });
    expect(plan.warnings.join("\n")).toContain("boot GPU with the host's console vtcon0 on it");
    expect(plan.refusals.join("\n")).toContain("mounted at /");
  });
});

describe("a VM's devices are never unbound", () => {
  /** tower1 bound to vfio-pci by gpuvm, with QEMU holding group 1 (or the per-device node). */
  function boundTower(fds: string[]) {
    const spec: MachineSpec = {
      ...MACHINES.desktopRtx3080Vfio,
      devices: MACHINES.desktopRtx3080Vfio.devices.map((d) =>
        d.address === "0000:09:00.0" ? { ...d, vfioDev: "vfio0" } : d,
      ),
      processes: [
        { pid: 1, comm: "systemd", fds: ["/dev/null", "/run/systemd/notify"] },
        { pid: 4242, comm: "qemu-system-x86", fds },
      ],
    };
    const root = tree(spec);
    const state = {
      version: 1 as const,
      bindings: {
        "0000:09:00.0": { originalDriver: "nvidia", originalOverride: null, boundAt: NOW },
        "0000:09:00.1": { originalDriver: "snd_hda_intel", originalOverride: null, boundAt: NOW },
      },
    };
    fs.mkdirSync(path.join(root, "var/lib/gpuvm"), { recursive: true });
    fs.writeFileSync(path.join(root, STATE_FILE), serializeState(state));
    return root;
  }

  it("unbind of a group QEMU has open is refused, --force and all, and nothing is written", () => {
    const root = boundTower(["/dev/kvm", "/dev/vfio/vfio", "/dev/vfio/1"]);
    const plan = planUnbind(inspectHost(root), readState(root), "0000:09:00.0", {
      force: true,
      also: ["0000:09:00.1"],
    });
    expect(plan.refusals).toEqual([
      "0000:09:00.0 is held by a running VM: /dev/vfio/1 is open in process 4242 (qemu-system-x86); stop the VM first",
      "0000:09:00.1 is held by a running VM: /dev/vfio/1 is open in process 4242 (qemu-system-x86); stop the VM first",
    ]);
    const writer = loggingWriter(fsWriter(root));
    expect(() => applyPlan(plan, { root, writer })).toThrow(/refusing to unbind/);
    expect(writer.log).toEqual([]);
    expect(readState(root).bindings).toHaveProperty("0000:09:00.0");
  });

  it("the per-device node (iommufd) counts as held too; with the VM gone the unbind goes ahead", () => {
    const held = boundTower(["/dev/iommu", "/dev/vfio/devices/vfio0"]);
    expect(planUnbind(inspectHost(held), readState(held), "0000:09:00.0").refusals).toEqual([
      "0000:09:00.0 is held by a running VM: /dev/vfio/devices/vfio0 is open in process 4242 (qemu-system-x86); stop the VM first",
    ]);
    const idle = boundTower(["/dev/kvm"]);
    const plan = planUnbind(inspectHost(idle), readState(idle), "0000:09:00.0");
    expect(plan.refusals).toEqual([]);
    expect(plan.writes).toHaveLength(6);
  });

  it("when some processes' open files cannot be read, unbind says it cannot tell", () => {
    const root = boundTower(["/dev/kvm"]);
    const real = fsReader(root);
    const reader = {
      ...real,
      listDir: (rel: string) =>
        rel === "proc/4242/fd"
          ? { ok: false as const, missing: false, reason: "permission denied" }
          : real.listDir(rel),
    };
    const scan = scanHost({ reader });
    const plan = planUnbind({ scan, use: readHostUse(reader, scan) }, readState(root), "0000:09:00.0");
    expect(plan.refusals).toEqual([
      "cannot tell whether a VM holds 0000:09:00.0, 0000:09:00.1: the open files of 1 process(es) could not be read (run as root)",
    ]);
  });

  it("bind refuses to unbind a function whose group is open", () => {
    const root = tree({
      ...MACHINES.desktopRtx3080,
      vfioPciLoaded: true,
      processes: [{ pid: 77, comm: "qemu-kvm", fds: ["/dev/vfio/1"] }],
    });
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(plan.refusals).toContain(
      "0000:09:00.0 is held by a running VM: /dev/vfio/1 is open in process 77 (qemu-kvm)",
    );
  });
});

describe("this machine's own /sys and /proc, read only", () => {
  const reader = fsReader("/");
  const scan = scanHost({ reader });
  const use = readHostUse(reader, scan);

  it("finds the disk / is mounted from, through the kernel's own sys/dev/block index", () => {
    const rootLine = fs
      .readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .find((l) => l.split(" ")[4] === "/");
    const devnum = rootLine?.split(" ")[2] ?? "";
    const isBlock = devnum !== "" && fs.existsSync(`/sys/dev/block/${devnum}`);
    const onPci = isBlock && fs.realpathSync(`/sys/dev/block/${devnum}`).includes("/pci");
    if (onPci) {
      const entry = use.block.inUse.find((b) => b.uses.includes("mounted at /"));
      expect(entry?.pci.length).toBeGreaterThan(0);
      const fn = scan.devices.find((d) => d.address === entry?.pci.at(-1));
      expect(fn).toBeDefined();
      if (fn)
        expect(
          usesOf(fn, scan, use)
            .map((u) => u.message)
            .join("\n"),
        ).toContain(`${entry?.device}, mounted at /`);
    }
    expect(use.block.mountsKnown).toBe(true);
  });

  it("no function that is not on a GPU card can be bound, and reading changes nothing", () => {
    for (const d of scan.devices.filter((x) => !x.classCode?.startsWith("03")).slice(0, 40)) {
      const plan = planBind({ scan, use }, d.address);
      if (d.classCode?.match(/^(0403|0c03|0c80)/)) continue;
      expect(plan.refusals[0], d.address).toMatch(/is not a GPU/);
      expect(plan.writes).toEqual([]);
    }
  });
});
