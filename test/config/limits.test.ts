// What a lab can mean: sizes within documented bounds, names that are safe as file and interface
// names, and input whose size and messages stay bounded. Each is refused where it is written.
import { describe, expect, it } from "vitest";
import { loadLab, MAX_LAB_BYTES, parseLab } from "../../src/config/load.js";
import type { InputError } from "../../src/config/problem.js";
import { parseModel } from "../../src/model/index.js";
import { tempFile } from "../support/temp.js";
import { BASE, edit, rejection } from "./support.js";

const MAINTENANCE = "maintenance: { cpu: 2, memory: 4Gi }";
const withBridge = (bridge: string) => edit("  tower1:\n", `  tower1:\n    bridge: ${bridge}\n`);
const IFACE = "must be a Linux interface name: 1 to 15 letters, digits, '_', '.' or '-'";

describe("quantities", () => {
  it.each([
    [
      "VM memory of 0Gi",
      edit(MAINTENANCE, "maintenance: { cpu: 2, memory: 0Gi }"),
      'lab.yaml:22:38: vms.gaming.modes.maintenance.memory: must be at least 64Mi (a VM needs that much to boot), found "0Gi"',
    ],
    [
      "VM memory of 1Ki (a slip for 1Gi)",
      edit(MAINTENANCE, "maintenance: { cpu: 2, memory: 1Ki }"),
      'lab.yaml:22:38: vms.gaming.modes.maintenance.memory: must be at least 64Mi (a VM needs that much to boot), found "1Ki"',
    ],
    [
      "VM memory beyond any machine",
      edit(MAINTENANCE, "maintenance: { cpu: 2, memory: 99999999Ei }"),
      'lab.yaml:22:38: vms.gaming.modes.maintenance.memory: must be at most 64Ti, found "99999999Ei"',
    ],
    [
      "VM memory that is no whole number of bytes",
      edit(MAINTENANCE, "maintenance: { cpu: 2, memory: 1.00000001Gi }"),
      'lab.yaml:22:38: vms.gaming.modes.maintenance.memory: must be a whole number of bytes, found "1.00000001Gi"',
    ],
    [
      "a share that resolves below 64Mi",
      edit("memory: 80%", "memory: 0.1%"),
      'lab.yaml:21:47: vms.gaming.modes.live.memory: "0.1%" of host "tower1"\'s 32Gi is 33Mi; a mode needs at least 64Mi (a VM needs that much to boot)',
    ],
    [
      "a disk of 0Ti",
      edit("size: 64Gi", "size: 0Ti"),
      'lab.yaml:18:30: vms.gaming.disks.system.size: must be at least 1Mi (no partition table fits in less), found "0Ti"',
    ],
    [
      "a disk of 2Ei",
      edit("size: 64Gi", "size: 2Ei"),
      'lab.yaml:18:30: vms.gaming.disks.system.size: must be at most 1Pi, found "2Ei"',
    ],
    [
      "a host with 99999999Ei",
      edit("memory: 32Gi", "memory: 99999999Ei"),
      'lab.yaml:6:34: hosts.tower1.capacity.memory: must be at most 64Ti, found "99999999Ei"',
    ],
    [
      "a host with 1Mi",
      edit("memory: 32Gi", "memory: 1Mi"),
      'lab.yaml:6:34: hosts.tower1.capacity.memory: must be at least 64Mi (a host needs room for at least one VM), found "1Mi"',
    ],
    [
      "a host with 99999 CPUs",
      edit("cpu: 16", "cpu: 99999"),
      "lab.yaml:6:22: hosts.tower1.capacity.cpu: must be at most 4096, found 99999",
    ],
    [
      "a mode with 5000 cores",
      edit(MAINTENANCE, "maintenance: { cpu: 5000, memory: 4Gi }"),
      "lab.yaml:22:27: vms.gaming.modes.maintenance.cpu: must be at most 4096 cores, found 5000",
    ],
    [
      "maxHostShare of 0%",
      edit("metadata: { name: t }\n", "metadata: { name: t }\ncluster: { maxHostShare: 0% }\n"),
      'lab.yaml:4:26: cluster.maxHostShare: must be a share from 1% to 100%, such as "90%", found "0%"',
    ],
    [
      "a priority Kubernetes reserves for itself",
      edit("vms:\n", "priorities:\n  p: { value: 2000000000 }\nvms:\n"),
      "lab.yaml:17:15: priorities.p.value: must be at most 1000000000, found 2000000000",
    ],
    [
      "spinlocks beyond 32 bits",
      edit("  gaming:\n", "  gaming:\n    hyperv: { spinlocks: 99999999999 }\n"),
      "lab.yaml:18:26: vms.gaming.hyperv.spinlocks: must be at most 4294967295, found 99999999999",
    ],
  ])("refuses %s", (_name, text, expected) => {
    expect(rejection(text)).toEqual([expected]);
  });

  it("accepts the bounds themselves", () => {
    const text = edit("memory: 32Gi", "memory: 64Ti")
      .replace("size: 64Gi", "size: 1Mi")
      .replace(MAINTENANCE, "maintenance: { cpu: 4096, memory: 64Mi }")
      .replace("cpu: 16", "cpu: 4096");
    const mode = parseModel(text).vms[0]?.modes[1];
    expect(mode).toMatchObject({ cores: 4096, memory: "64Mi" });
  });
});

describe("names that become file and interface names", () => {
  it.each([
    // Today's path: a bridge named ".." wrote "...nmconnection" beside the host's other profiles.
    [
      'a bridge named ".."',
      withBridge('{ name: "..", uplink: enp9s0 }'),
      'lab.yaml:6:21: hosts.tower1.bridge.name: must be a Linux interface name, found ".."',
    ],
    [
      "an uplink with slashes",
      withBridge('{ name: br0, uplink: "../../etc" }'),
      `lab.yaml:6:34: hosts.tower1.bridge.uplink: ${IFACE}, found "../../etc"`,
    ],
    [
      "a bridge name over 15 characters",
      withBridge("{ name: a-bridge-too-long, uplink: enp9s0 }"),
      `lab.yaml:6:21: hosts.tower1.bridge.name: ${IFACE}, found "a-bridge-too-long"`,
    ],
    [
      "a bridge name with a space",
      withBridge('{ name: "br 0", uplink: enp9s0 }'),
      `lab.yaml:6:21: hosts.tower1.bridge.name: ${IFACE}, found "br 0"`,
    ],
    [
      "a network bridge holding a shell command",
      edit("bridge: local-br0", 'bridge: "br0; reboot"'),
      `lab.yaml:15:18: networks.lan.bridge: ${IFACE}, found "br0; reboot"`,
    ],
  ])("refuses %s", (_name, text, expected) => {
    expect(rejection(text)).toEqual([expected]);
  });

  it("accepts the interface names Linux systems use", () => {
    const lab = parseModel(withBridge("{ name: local-br0, uplink: enp9s0.100 }"));
    expect(lab.hosts[0]?.bridge).toEqual({ name: "local-br0", uplink: "enp9s0.100" });
  });
});

describe("input size and message size", () => {
  it("refuses text over 4 MiB, located at the file", () => {
    const padding = `# ${"x".repeat(1000)}\n`.repeat(Math.ceil(MAX_LAB_BYTES / 1000));
    expect(() => parseLab(BASE + padding, "big.yaml")).toThrow(
      /^big\.yaml:1:1: is 4\.0 MiB; a lab file holds at most 4 MiB \(about 10,000 VMs\)/,
    );
  });

  it("stops reading a file (or a device) past 4 MiB", async () => {
    const big = tempFile("big.yaml", Buffer.alloc(MAX_LAB_BYTES + 10, "#"));
    await expect(loadLab(big)).rejects.toThrow(`${big}:1:1: is 4.0 MiB; a lab file holds at most 4 MiB`);
    // /dev/zero never ends: refused after 4 MiB, not after filling memory.
    await expect(loadLab("/dev/zero")).rejects.toThrow(/^\/dev\/zero:1:1: is larger than 4 MiB/);
  });

  it("quotes a long value in part and prints at most 50 problems", () => {
    expect(rejection(edit("cpu: 16", `cpu: "${"x".repeat(5000)}"`))).toEqual([
      `lab.yaml:6:22: hosts.tower1.capacity.cpu: expected a number, found "${"x".repeat(60)}"… (5000 characters)`,
    ]);
    const many = edit("vms:\n", `vms:\n${Array.from({ length: 80 }, (_, i) => `  v${i}: 1\n`).join("")}`);
    let caught: unknown;
    try {
      parseModel(many);
    } catch (error) {
      caught = error;
    }
    expect((caught as InputError).problems).toHaveLength(80);
    const lines = (caught as InputError).message.split("\n");
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toBe("… and 30 more problems (fix these first)");
  });
});
