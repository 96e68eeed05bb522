// `gpuvm host plan|bind|unbind` as a user runs them: what they print, the exit code, and what lands in the tree.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { STATE_FILE } from "../../src/host/vfio/state.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import type { MachineSpec } from "../fixtures/hosts/spec.js";
import { runCli } from "../support/cli.js";
import { tree } from "./helpers.js";

/** Every file under the root with its contents (links as their target), to show that nothing changed. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) out.set(p, `-> ${fs.readlinkSync(p)}`);
      else if (e.isDirectory()) walk(p);
      else out.set(p, fs.readFileSync(p, "utf8"));
    }
  };
  walk(root);
  return out;
}

/** `gpuvm host <args> --root ROOT --apply` that must leave the tree as it was and exit 0; its stdout. */
async function applyChangingNothing(root: string, ...args: string[]): Promise<string> {
  const before = snapshot(root);
  const r = await runCli("host", ...args, "--root", root, "--apply");
  expect(r.code).toBe(0);
  expect(snapshot(root)).toEqual(before);
  return r.stdout;
}

const budget: MachineSpec = {
  ...MACHINES.consumerNoAcs,
  vfioPciLoaded: true,
  disks: [{ name: "sda", pciDevice: "0000:02:00.1", partitions: ["sda1"] }],
  mounts: [{ device: "/dev/sda1", mountpoint: "/" }],
  net: [{ name: "enp4s0", pciDevice: "0000:04:00.0", up: true }],
};

describe("gpuvm host bind refusals", () => {
  it("binding the host bridge is refused with exit 1 and writes nothing", async () => {
    const root = tree({ ...MACHINES.desktopRtx3080, vfioPciLoaded: true });
    const before = snapshot(root);
    const r = await runCli("host", "bind", "0000:00:00.0", "--root", root, "--apply");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "refused: 0000:00:00.0 (Host bridge, class 0x060000) is not a GPU: gpuvm host bind takes a display device",
    );
    expect(r.stdout).not.toMatch(/already on vfio-pci|writes done/);
    expect(r.stderr).toBe("gpuvm: refusing to bind 0000:00:00.0 (see above)\n");
    expect(snapshot(root)).toEqual(before);
  });

  it("the SATA controller with / on it, named with --also: exit 1, the reason, and an untouched tree", async () => {
    const root = tree(budget);
    const before = snapshot(root);
    const r = await runCli(
      "host",
      "bind",
      "0000:05:00.0",
      "--root",
      root,
      "--force",
      "--also",
      "0000:02:00.1",
      "--also",
      "04:00.0",
      "--apply",
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "refused: unbinding 0000:02:00.1 (SATA controller) would take away /dev/sda1, mounted at /",
    );
    expect(r.stdout).toContain(
      "refused: unbinding 0000:04:00.0 (Ethernet controller) would take away network interface enp4s0, which is up",
    );
    expect(snapshot(root)).toEqual(before);
  });

  it("plan -o json carries the refusals for scripts", async () => {
    const root = tree(budget);
    const r = await runCli("host", "plan", "0000:05:00.0", "--root", root, "-o", "json");
    expect(r.code).toBe(1);
    const plan = JSON.parse(r.stdout);
    expect(plan.writes.length).toBeGreaterThan(0);
    expect(plan.refusals.join("\n")).toContain("IOMMU group 13 also holds 0000:02:00.1");
  });

  it("a card already on vfio-pci: says nothing was written, exit 0", async () => {
    const stdout = await applyChangingNothing(tree(MACHINES.desktopRtx3080Vfio), "bind", "0000:09:00.0");
    expect(stdout).toContain("warning: group 1 is already on vfio-pci: nothing to write");
    expect(stdout).toContain("nothing to do: every function is already on vfio-pci; nothing was written");
  });
});

describe("gpuvm host unbind", () => {
  it("leaves a boot-time binding alone; --force on the named address releases only that one", async () => {
    const root = tree(MACHINES.desktopRtx3080Vfio);
    const plain = await applyChangingNothing(root, "unbind", "0000:09:00.0");
    expect(plain).toContain("gpuvm did not bind them (bound at boot or by hand): left as they are");
    expect(plain).toContain("nothing to restore; nothing was written");

    const forced = await runCli("host", "unbind", "0000:09:00.0", "--root", root, "--force", "--apply");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("restored: 3 writes done");
    const read = (rel: string) => fs.readFileSync(path.join(root, rel), "utf8");
    expect(read("sys/bus/pci/drivers_probe")).toBe("0000:09:00.0");
    expect(read("sys/bus/pci/drivers/vfio-pci/unbind")).toBe("0000:09:00.0");
    expect(read("sys/bus/pci/devices/0000:09:00.1/driver_override")).toBe("(null)\n");
    expect(fs.existsSync(path.join(root, STATE_FILE))).toBe(false);
  });

  it("a group a VM has open: exit 1, nothing written", async () => {
    const root = tree({
      ...MACHINES.desktopRtx3080Vfio,
      processes: [{ pid: 4242, comm: "qemu-kvm", fds: ["/dev/vfio/1"] }],
    });
    const before = snapshot(root);
    const r = await runCli("host", "unbind", "0000:09:00.0", "--root", root, "--force", "--apply");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "refused: 0000:09:00.0 is held by a running VM: /dev/vfio/1 is open in process 4242 (qemu-kvm); stop the VM first",
    );
    expect(snapshot(root)).toEqual(before);
  });
});
