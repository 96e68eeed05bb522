// `--root DIR` is a promise: nothing outside DIR is read for a decision or written, whatever links
// the tree holds.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fsReader } from "../../src/host/reader.js";
import { scanHost } from "../../src/host/scan.js";
import { applyPlan } from "../../src/host/vfio/apply.js";
import { inspectHost } from "../../src/host/vfio/inspect.js";
import { planBind } from "../../src/host/vfio/plan.js";
import { readState, STATE_FILE } from "../../src/host/vfio/state.js";
import { fsWriter } from "../../src/host/vfio/writer.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import { tempDir } from "../support/temp.js";
import { tree } from "./helpers.js";
import { loggingWriter } from "./kernel-sim.js";

const tower1 = { ...MACHINES.desktopRtx3080, vfioPciLoaded: true };

/** A file outside the root, standing for /etc/shadow or the machine's own /sys attribute. */
function outsideFile(text = "precious\n"): string {
  const file = path.join(tempDir("gpuvm-outside-"), "target");
  fs.writeFileSync(file, text);
  return file;
}

/** Replaces `rel` in the tree with a link to `target`. */
function plant(root: string, rel: string, target: string) {
  const p = path.join(root, rel);
  fs.rmSync(p, { recursive: true, force: true });
  fs.symlinkSync(target, p);
}

function realOf(root: string, rel: string): string {
  return fs.realpathSync(path.join(root, rel));
}

describe("writes stay under the root", () => {
  it.each([
    ["a device's driver_override", "sys/bus/pci/devices/0000:09:00.0/driver_override"],
    ["a driver's unbind file", "sys/bus/pci/drivers/nvidia/unbind"],
    ["vfio-pci's bind file", "sys/bus/pci/drivers/vfio-pci/bind"],
  ])("%s linked out of the root: refused before the first write, the outside file untouched", (_, rel) => {
    const root = tree(tower1);
    const outside = outsideFile();
    plant(root, `${path.relative(root, realOf(root, path.dirname(rel)))}/${path.basename(rel)}`, outside);
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    const writer = loggingWriter(fsWriter(root));
    expect(() => applyPlan(plan, { root, writer })).toThrow(
      new RegExp(
        `nothing was changed:[\\s\\S]*${rel.replace(/[.]/g, "\\.")}: leads out of the root, to ${outside}; not followed`,
      ),
    );
    expect(writer.log).toEqual([]);
    expect(fs.readFileSync(outside, "utf8")).toBe("precious\n");
    expect(fs.existsSync(path.join(root, STATE_FILE))).toBe(false);
  });

  it("the state directory linked out of the root (or dangling there): the state file is not written through it", () => {
    for (const how of ["existing", "dangling"] as const) {
      const root = tree(tower1);
      const outsideDir = tempDir("gpuvm-outside-");
      const target = how === "existing" ? outsideDir : path.join(outsideDir, "not-yet");
      fs.mkdirSync(path.join(root, "var/lib"), { recursive: true });
      fs.symlinkSync(target, path.join(root, "var/lib/gpuvm"));
      const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
      const writer = loggingWriter(fsWriter(root));
      expect(() => applyPlan(plan, { root, writer }), how).toThrow(
        /var\/lib\/gpuvm\/bindings.json: .*out of the root/,
      );
      expect(writer.log, how).toEqual([]);
      expect(fs.readdirSync(outsideDir), how).toEqual([]);
    }
  });

  it("a write resolves its path again at the moment it writes", () => {
    const root = tree(tower1);
    const outside = outsideFile();
    const writer = fsWriter(root);
    const rel = "sys/bus/pci/drivers_probe";
    expect(writer.cannotWrite(rel)).toBeNull();
    plant(root, rel, outside);
    expect(() => writer.write(rel, "0000:09:00.0")).toThrow(/leads out of the root/);
    expect(fs.readFileSync(outside, "utf8")).toBe("precious\n");
  });
});

describe("reads for decisions stay under the root", () => {
  it("a device directory linked to an absolute path is not read; the function is unknown and bind refuses it", () => {
    const root = tree(tower1);
    // A copy of another host's /sys often carries absolute links; they would lead into this machine's /sys.
    const elsewhere = tempDir("gpuvm-elsewhere-");
    fs.cpSync(realOf(root, "sys/bus/pci/devices/0000:09:00.0"), elsewhere, {
      recursive: true,
      verbatimSymlinks: true,
    });
    plant(root, "sys/bus/pci/devices/0000:09:00.0", elsewhere);
    const scan = scanHost({ root });
    expect(scan.issues).toContainEqual({
      path: "sys/bus/pci/devices/0000:09:00.0",
      reason: `leads out of the root, to ${elsewhere}; not followed`,
    });
    const plan = planBind(inspectHost(root), "0000:09:00.0", { force: true });
    expect(plan.refusals[0]).toContain("0000:09:00.0 (unknown device) is not a GPU");
    expect(plan.writes).toEqual([]);
  });

  it("an attribute linked out of the root reads as an issue, not as the outside file's contents", () => {
    const root = tree(tower1);
    const outside = outsideFile("0x0c0330\n");
    plant(root, `${path.relative(root, realOf(root, "sys/bus/pci/devices/0000:09:00.1"))}/class`, outside);
    const scan = scanHost({ root });
    const audio = scan.devices.find((d) => d.address === "0000:09:00.1");
    expect(audio?.classCode).toBeNull();
    expect(audio?.unknown).toContain("class");
    expect(scan.issues.find((i) => i.path.endsWith("0000:09:00.1/class"))?.reason).toMatch(
      /leads out of the root/,
    );
  });

  it("a disk or a network interface linked out of the root is not taken as the host's", () => {
    const root = tree({
      ...MACHINES.consumerNoAcs,
      vfioPciLoaded: true,
      disks: [{ name: "sda", pciDevice: "0000:02:00.1", partitions: ["sda1"] }],
      mounts: [{ device: "/dev/sda1", mountpoint: "/" }],
      net: [{ name: "enp4s0", pciDevice: "0000:04:00.0" }],
    });
    // The same shape outside: followed, it would put a mounted disk behind 0000:02:00.1.
    const outsideSys = path.join(
      tempDir("gpuvm-outside-"),
      "sys/devices/pci0000:00/0000:00:01.2/0000:02:00.1/ata1/block/sda",
    );
    fs.mkdirSync(path.dirname(outsideSys), { recursive: true });
    fs.cpSync(realOf(root, "sys/block/sda"), outsideSys, { recursive: true });
    plant(root, "sys/block/sda", outsideSys);
    const outsideNet = path.join(path.dirname(path.dirname(outsideSys)), "net/enp4s0");
    fs.mkdirSync(outsideNet, { recursive: true });
    fs.writeFileSync(path.join(outsideNet, "operstate"), "up\n");
    fs.symlinkSync("../..", path.join(outsideNet, "device"));
    plant(root, "sys/class/net/enp4s0", outsideNet);
    const { use } = inspectHost(root);
    expect(use.block.inUse).toEqual([]);
    expect(use.interfaces).toEqual([]);
  });

  it("the state file linked out of the root is not read", () => {
    const root = tree(tower1);
    const outside = outsideFile('{"version":1,"bindings":{"0000:09:00.0":{"originalDriver":"evil"}}}');
    fs.mkdirSync(path.join(root, "var/lib/gpuvm"), { recursive: true });
    fs.symlinkSync(outside, path.join(root, STATE_FILE));
    expect(() => readState(root)).toThrow(/bindings.json: leads out of the root/);
  });

  it("the reader refuses what leads out, and still follows links inside the tree", () => {
    const root = tree(tower1);
    const reader = fsReader(root);
    expect(reader.readText("sys/bus/pci/devices/0000:09:00.0/vendor")).toEqual({
      ok: true,
      value: "0x10de\n",
    });
    fs.symlinkSync("/etc", path.join(root, "etc-link"));
    expect(reader.listDir("etc-link")).toMatchObject({ ok: false, missing: false });
    expect(reader.exists("etc-link/hostname")).toBe(false);
    fs.symlinkSync("../..", path.join(root, "sys/up"));
    expect(reader.readText("sys/up/etc/passwd").ok).toBe(false);
  });
});

describe("fixture trees", () => {
  /** Every link in the tree, but procfs's fd links, which record opened paths and are never followed. */
  function links(dir: string, out: string[] = []): string[] {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) out.push(p);
      else if (e.isDirectory()) links(p, out);
    }
    return out;
  }

  it("link only relatively and inside their root, as sysfs does", () => {
    for (const [name, spec] of Object.entries(MACHINES)) {
      const root = tree({
        ...spec,
        disks: [{ name: "sda", pciDevice: spec.devices.at(-1)?.address, partitions: ["sda1"] }],
        processes: [{ pid: 9, comm: "qemu-kvm", fds: ["/dev/vfio/1"] }],
      });
      const all = links(root).filter((l) => !/\/proc\/\d+\/fd\//.test(l));
      expect(all.length, name).toBeGreaterThan(5);
      for (const l of all) {
        const target = fs.readlinkSync(l);
        expect(path.isAbsolute(target), `${name}: ${l}`).toBe(false);
        const resolved = path.resolve(path.dirname(l), target);
        expect(resolved.startsWith(`${root}/`), `${name}: ${l} -> ${target}`).toBe(true);
      }
    }
  });
});
