import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runDoctor } from "../../src/host/doctor/run.js";
import { HostUserError } from "../../src/host/errors.js";
import { scanHost } from "../../src/host/scan.js";
import { applyPlan } from "../../src/host/vfio/apply.js";
import { formatPlan } from "../../src/host/vfio/format.js";
import { inspectHost } from "../../src/host/vfio/inspect.js";
import { planBind, planUnbind } from "../../src/host/vfio/plan.js";
import { readState, STATE_FILE } from "../../src/host/vfio/state.js";
import { fsWriter, type SysfsWriter } from "../../src/host/vfio/writer.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import type { MachineSpec } from "../fixtures/hosts/spec.js";
import { device, tree } from "./helpers.js";
import { kernelSimWriter, loggingWriter } from "./kernel-sim.js";

const NOW = "2025-11-29T14:00:00.000Z";
/** tower1 with vfio-pci loaded but the GPU still on nvidia. */
const tower1: MachineSpec = { ...MACHINES.desktopRtx3080, vfioPciLoaded: true };
const read = (root: string, rel: string) => fs.readFileSync(path.join(root, rel), "utf8");

describe("host plan (bind)", () => {
  it("refuses the boot GPU with efifb and the console on it unless --force", () => {
    const host = inspectHost(tree(tower1));
    const plan = planBind(host, "0000:09:00.0", { now: NOW });
    expect(plan.refusals).toHaveLength(1);
    expect(plan.refusals[0]).toContain("boot GPU with the host's framebuffer efifb and console vtcon1");
    expect(plan.refusals[0]).toContain("--force");
    expect(planBind(host, "0000:09:00.0", { force: true }).refusals).toEqual([]);
  });

  it("plans the whole group: overrides, then unbinds, then binds", () => {
    const host = inspectHost(tree(tower1));
    const plan = planBind(host, "09:00.1", { force: true, now: NOW });
    expect(plan.target).toBe("0000:09:00.1");
    expect(plan.writes.map((w) => [w.path, w.value])).toEqual([
      ["sys/bus/pci/devices/0000:09:00.0/driver_override", "vfio-pci"],
      ["sys/bus/pci/devices/0000:09:00.1/driver_override", "vfio-pci"],
      ["sys/bus/pci/drivers/nvidia/unbind", "0000:09:00.0"],
      ["sys/bus/pci/drivers/snd_hda_intel/unbind", "0000:09:00.1"],
      ["sys/bus/pci/drivers/vfio-pci/bind", "0000:09:00.0"],
      ["sys/bus/pci/drivers/vfio-pci/bind", "0000:09:00.1"],
    ]);
    expect(formatPlan(plan, "/")).toContain(
      "echo vfio-pci > /sys/bus/pci/devices/0000:09:00.0/driver_override",
    );
  });

  it("refuses a group shared with a SATA controller and a NIC unless each is named, --force or not", () => {
    const host = inspectHost(tree({ ...MACHINES.consumerNoAcs, vfioPciLoaded: true }));
    const plan = planBind(host, "0000:05:00.0", { force: true });
    expect(plan.refusals.join("\n")).toMatch(
      /IOMMU group 13 also holds 0000:02:00.1 .*SATA.*, 0000:04:00.0 .*not part of the GPU card.*--also ADDRESS/,
    );
    expect(plan.functions.map((f) => f.address)).toEqual(["0000:05:00.0", "0000:05:00.1"]);
    expect(() => applyPlan(plan, { root: host.scan.root })).toThrow(/refusing to bind 0000:05:00.0/);
  });

  it("refuses without IOMMU and without the vfio-pci module", () => {
    const host = inspectHost(tree(MACHINES.iommuOff));
    const refusals = planBind(host, "0000:09:00.0", { force: true }).refusals.join("\n");
    expect(refusals).toContain("no IOMMU group");
    expect(refusals).toContain("modprobe vfio-pci");
  });

  it("refuses an address that is not on a GPU card (a typo'd NIC, say), with nothing to write", () => {
    const host = inspectHost(tree(tower1));
    const plan = planBind(host, "0000:0a:00.0");
    expect(plan.refusals).toEqual([
      "0000:0a:00.0 (Ethernet controller, class 0x020000) is not a GPU: gpuvm host bind takes a display device (class 0x03) or another function of its card; name the GPU's address (gpuvm host scan lists them)",
    ]);
    expect(plan.writes).toEqual([]);
    expect(planBind(host, "0000:09:00.0", { force: true }).refusals).toEqual([]);
  });

  it("rejects what is not a PCI address, or not on this host, with a plain message", () => {
    const host = inspectHost(tree(tower1));
    expect(() => planBind(host, "gpu0")).toThrow(HostUserError);
    expect(() => planBind(host, "gpu0")).toThrow('"gpu0" is not a PCI address');
    expect(() => planBind(host, "0000:42:00.0")).toThrow(/no PCI device 0000:42:00.0/);
  });
});

describe("host bind --apply and unbind", () => {
  it("writes the exact sequence, records the original drivers, and leaves those values in the files", () => {
    const root = tree(tower1);
    const writer = loggingWriter(fsWriter(root));
    applyPlan(planBind(inspectHost(root), "0000:09:00.0", { force: true, now: NOW }), { root, writer });

    expect(writer.log.map((w) => `${w.path} <- ${w.value.startsWith("{") ? "(state)" : w.value}`)).toEqual([
      `${STATE_FILE} <- (state)`,
      "sys/bus/pci/devices/0000:09:00.0/driver_override <- vfio-pci",
      "sys/bus/pci/devices/0000:09:00.1/driver_override <- vfio-pci",
      "sys/bus/pci/drivers/nvidia/unbind <- 0000:09:00.0",
      "sys/bus/pci/drivers/snd_hda_intel/unbind <- 0000:09:00.1",
      "sys/bus/pci/drivers/vfio-pci/bind <- 0000:09:00.0",
      "sys/bus/pci/drivers/vfio-pci/bind <- 0000:09:00.1",
    ]);
    expect(read(root, "sys/bus/pci/devices/0000:09:00.0/driver_override")).toBe("vfio-pci");
    expect(read(root, "sys/bus/pci/drivers/nvidia/unbind")).toBe("0000:09:00.0");
    expect(read(root, "sys/bus/pci/drivers/snd_hda_intel/unbind")).toBe("0000:09:00.1");
    expect(readState(root).bindings).toEqual({
      "0000:09:00.0": { originalDriver: "nvidia", originalOverride: null, boundAt: NOW },
      "0000:09:00.1": { originalDriver: "snd_hda_intel", originalOverride: null, boundAt: NOW },
    });
  });

  it("round trip against a simulated kernel: vfio-pci after bind, nvidia back after unbind", () => {
    const root = tree(tower1);
    const writer = kernelSimWriter(root, { "0000:09:00.0": "nvidia", "0000:09:00.1": "snd_hda_intel" });
    applyPlan(planBind(inspectHost(root), "0000:09:00.0", { force: true, now: NOW }), { root, writer });

    const bound = scanHost({ root });
    expect(device(bound, "0000:09:00.0")).toMatchObject({ driver: "vfio-pci", driverOverride: "vfio-pci" });
    expect(device(bound, "0000:09:00.1").driver).toBe("vfio-pci");
    expect(runDoctor(bound).checks.find((c) => c.id === "gpu-driver")?.verdict).toBe("ok");

    const log = loggingWriter(writer);
    const unplan = planUnbind({ scan: bound, use: inspectHost(root).use }, readState(root), "0000:09:00.0");
    expect(unplan.warnings).toEqual([]);
    applyPlan(unplan, { root, writer: log });
    expect(log.log.map((w) => `${w.path} <- ${JSON.stringify(w.value)}`).slice(0, 6)).toEqual([
      'sys/bus/pci/devices/0000:09:00.0/driver_override <- "\\n"',
      'sys/bus/pci/devices/0000:09:00.1/driver_override <- "\\n"',
      'sys/bus/pci/drivers/vfio-pci/unbind <- "0000:09:00.0"',
      'sys/bus/pci/drivers/vfio-pci/unbind <- "0000:09:00.1"',
      'sys/bus/pci/drivers_probe <- "0000:09:00.0"',
      'sys/bus/pci/drivers_probe <- "0000:09:00.1"',
    ]);

    const restored = scanHost({ root });
    expect(device(restored, "0000:09:00.0")).toMatchObject({ driver: "nvidia", driverOverride: null });
    expect(device(restored, "0000:09:00.1").driver).toBe("snd_hda_intel");
    expect(readState(root).bindings).toEqual({});
  });

  it("binding twice keeps the first original driver", () => {
    const root = tree({ ...MACHINES.serverH100, vfioPciLoaded: true });
    const writer = kernelSimWriter(root, { "0000:1b:00.0": "nvidia" });
    applyPlan(planBind(inspectHost(root), "0000:1b:00.0", { now: NOW }), { root, writer });
    const again = planBind(inspectHost(root), "0000:1b:00.0", { now: "later" });
    expect(again.writes).toEqual([]);
    expect(again.warnings).toContain("group 30 is already on vfio-pci: nothing to write");
    applyPlan(again, { root, writer });
    expect(readState(root).bindings["0000:1b:00.0"]?.originalDriver).toBe("nvidia");
  });

  it("a read-only tree fails before the first write, with the reason", () => {
    const root = tree(tower1);
    const readOnly: SysfsWriter = { cannotWrite: () => "read-only file system", write: () => {} };
    const writer = loggingWriter(readOnly);
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(() => applyPlan(plan, { root, writer })).toThrow(
      /nothing was changed:\n {2}- sys\/bus\/pci\/devices\/0000:09:00.0\/driver_override: read-only file system/,
    );
    expect(writer.log).toEqual([]);
  });

  it("one unwritable target stops everything before any write", () => {
    const root = tree(tower1);
    const real = fsWriter(root);
    const writer = loggingWriter({
      cannotWrite: (rel, o) =>
        rel.endsWith("vfio-pci/bind") ? "permission denied (run as root)" : real.cannotWrite(rel, o),
      write: (rel, v, o) => real.write(rel, v, o),
    });
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(() => applyPlan(plan, { root, writer })).toThrow(
      "sys/bus/pci/drivers/vfio-pci/bind: permission denied (run as root)",
    );
    expect(writer.log).toEqual([]);
    expect(read(root, "sys/bus/pci/devices/0000:09:00.0/driver_override")).toBe("(null)\n");
    expect(fs.existsSync(path.join(root, STATE_FILE))).toBe(false);
  });

  it("the real writer notices a target that is not a file", () => {
    const root = tree(tower1);
    fs.rmSync(path.join(root, "sys/bus/pci/drivers/nvidia/unbind"));
    fs.mkdirSync(path.join(root, "sys/bus/pci/drivers/nvidia/unbind"));
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(() => applyPlan(plan, { root })).toThrow("sys/bus/pci/drivers/nvidia/unbind: is not a file");
    expect(read(root, "sys/bus/pci/devices/0000:09:00.0/driver_override")).toBe("(null)\n");
  });

  it("a write the kernel rejects midway says how far it got and how to undo it", () => {
    const root = tree(tower1);
    const real = fsWriter(root);
    const writer: SysfsWriter = {
      cannotWrite: (rel, o) => real.cannotWrite(rel, o),
      write(rel, v, o) {
        if (rel.endsWith("vfio-pci/bind")) throw Object.assign(new Error("ENODEV"), { code: "ENODEV" });
        real.write(rel, v, o);
      },
    };
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    let err: unknown;
    try {
      applyPlan(plan, { root, writer });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HostUserError);
    expect((err as HostUserError).message).toContain(
      "no such device (driver refused it) (4 of 6 writes done)",
    );
    expect((err as HostUserError).hint).toBe(
      "gpuvm host unbind 0000:09:00.0 --apply puts back what was done",
    );
    expect(readState(root).bindings["0000:09:00.0"]?.originalDriver).toBe("nvidia");
  });

  it("unbind leaves alone what gpuvm did not bind, unless the address is named with --force", () => {
    const root = tree(MACHINES.altraRtx3090);
    const host = inspectHost(root);
    const plan = planUnbind(host, readState(root), "000c:01:00.0");
    expect(plan.warnings[0]).toContain(
      "000c:01:00.0, 000c:01:00.1: on vfio-pci, but gpuvm did not bind them (bound at boot or by hand): left as they are",
    );
    expect(plan.writes).toEqual([]);

    const forced = planUnbind(host, readState(root), "000c:01:00.0", { force: true });
    expect(forced.writes.filter((w) => w.path === "sys/bus/pci/drivers_probe").map((w) => w.value)).toEqual([
      "000c:01:00.0",
    ]);
    expect(forced.warnings.join("\n")).toContain("000c:01:00.1: on vfio-pci, but gpuvm did not bind it");
    expect(forced.warnings.join("\n")).toContain(
      "000c:01:00.0: released with --force; its original driver is unknown",
    );
    const both = planUnbind(host, readState(root), "000c:01:00.0", { force: true, also: ["000c:01:00.1"] });
    expect(both.writes.filter((w) => w.path === "sys/bus/pci/drivers_probe")).toHaveLength(2);
  });

  it("a damaged state file is reported, not thrown as a stack", () => {
    const root = tree(tower1);
    fs.mkdirSync(path.join(root, "var/lib/gpuvm"), { recursive: true });
    fs.writeFileSync(path.join(root, STATE_FILE), "{not json");
    expect(() => readState(root)).toThrow(HostUserError);
    expect(() => readState(root)).toThrow(/bindings.json is damaged/);
  });
});
