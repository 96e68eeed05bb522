import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseModel } from "../../src/model/index.js";
import { MACHINES } from "../fixtures/hosts/machines.js";
import { runCli } from "../support/cli.js";
import { examplePath } from "../support/labs.js";
import { tempDir } from "../support/temp.js";
import { tree } from "./helpers.js";

function tempFile(name: string): string {
  return path.join(tempDir("gpuvm-cli-"), name);
}

describe("gpuvm host doctor", () => {
  it("prints the table and exits 1 when a check fails", async () => {
    const r = await runCli("host", "doctor", "--root", tree(MACHINES.desktopRtx3080));
    expect(r.stdout).toMatch(/^FAIL\s+gpu-driver 0000:09:00.0/m);
    expect(r.stderr).toBe("gpuvm: tower1 is not ready: 2 check(s) failed\n");
    expect(r.code).toBe(1);
  });

  it("-o json on a prepared host: all ok, exit 0", async () => {
    const r = await runCli("host", "doctor", "--root", tree(MACHINES.desktopRtx3080Vfio), "-o", "json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toEqual({ ok: 8, warn: 0, fail: 0 });
    expect(report.checks[0]).toMatchObject({ id: "virtualization", verdict: "ok" });
  });

  it("-f checks the homelab example's GPU against tower1", async () => {
    const r = await runCli(
      "host",
      "doctor",
      "--root",
      tree(MACHINES.desktopRtx3080Vfio),
      "-f",
      examplePath("homelab"),
    );
    expect(r.stdout).toMatch(
      /^ok\s+lab-gpu tower1\/rtx3080\s+0000:09:00.0 10de:2206, 0000:09:00.1 10de:1aef match this host; group 1 is complete/m,
    );
    expect(r.code).toBe(0);
  });

  it("-f on the wrong machine names what does not match", async () => {
    const r = await runCli(
      "host",
      "doctor",
      "--root",
      tree(MACHINES.altraRtx3090),
      "-f",
      examplePath("homelab"),
    );
    expect(r.stdout).toMatch(
      /FAIL\s+lab-gpu tower1\/rtx3080\s+0000:09:00.0 is not on this host; 0000:09:00.1 is not on this host/,
    );
    expect(r.code).toBe(1);
  });

  it("-f with a lab that leaves out the audio function of the group", async () => {
    const lab = tempFile("lab.yaml");
    fs.writeFileSync(
      lab,
      [
        "apiVersion: gpuvm/v1alpha1",
        "kind: Lab",
        "metadata: { name: homelab }",
        "hosts:",
        "  tower1:",
        "    capacity: { cpu: 16, memory: 32Gi }",
        "    gpus:",
        "      rtx3080:",
        '        functions: [{ address: "0000:09:00.0", id: "10de:2206" }]',
        "",
      ].join("\n"),
    );
    const r = await runCli(
      "host",
      "doctor",
      "--root",
      tree(MACHINES.desktopRtx3080Vfio),
      "-f",
      lab,
      "-o",
      "json",
    );
    const check = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === "lab-gpu");
    expect(check.verdict).toBe("fail");
    expect(check.detail).toContain(
      "IOMMU group 1 also holds 0000:09:00.1 GA102 High Definition Audio Controller (vfio-pci)",
    );
    expect(check.fix).toContain("attach: false");
  });
});

describe("gpuvm host plan / bind / unbind", () => {
  it("plan prints the writes as commands; a refusal exits 1 with the reason", async () => {
    const root = tree({ ...MACHINES.desktopRtx3080, vfioPciLoaded: true });
    const refused = await runCli("host", "plan", "0000:09:00.0", "--root", root);
    expect(refused.stdout).toContain("refused: 0000:09:00.0 is the boot GPU");
    expect(refused.code).toBe(1);
    const ok = await runCli("host", "plan", "0000:09:00.0", "--root", root, "--force");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`echo 0000:09:00.0 > ${root}/sys/bus/pci/drivers/nvidia/unbind`);
  });

  it("bind without --apply writes nothing; with --apply it binds and unbind restores", async () => {
    const root = tree({ ...MACHINES.serverH100, vfioPciLoaded: true });
    const override = path.join(root, "sys/bus/pci/devices/0000:1b:00.0/driver_override");
    const dry = await runCli("host", "bind", "0000:1b:00.0", "--root", root);
    expect(dry.stdout).toContain("(plan only: add --apply to perform it)");
    expect(fs.readFileSync(override, "utf8")).toBe("(null)\n");

    const bound = await runCli("host", "bind", "0000:1b:00.0", "--root", root, "--apply");
    expect(bound.code).toBe(0);
    expect(fs.readFileSync(override, "utf8")).toBe("vfio-pci");
    expect(
      JSON.parse(fs.readFileSync(path.join(root, "var/lib/gpuvm/bindings.json"), "utf8")).bindings,
    ).toHaveProperty(["0000:1b:00.0", "originalDriver"], "nvidia");

    const restored = await runCli("host", "unbind", "0000:1b:00.0", "--root", root, "--apply");
    expect(restored.code).toBe(0);
    expect(fs.readFileSync(override, "utf8")).toBe("\n");
    expect(fs.readFileSync(path.join(root, "sys/bus/pci/drivers_probe"), "utf8")).toBe("0000:1b:00.0");
  });

  it("bad input is a message, not a stack trace", async () => {
    const r = await runCli("host", "bind", "not-an-address", "--root", tree(MACHINES.serverH100));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'gpuvm: "not-an-address" is not a PCI address\n  next: give it as 0000:09:00.0 (or 09:00.0), as lspci -D prints it\n',
    );
  });
});

describe("gpuvm init --from-host", () => {
  it("writes a valid lab whose host has the GPU's whole group and device-plugin resource names", async () => {
    const file = tempFile("lab.yaml");
    const r = await runCli("init", file, "--from-host", "--root", tree(MACHINES.desktopRtx3080));
    expect(r.code).toBe(0);
    const lab = parseModel(fs.readFileSync(file, "utf8"), file);
    const [host] = lab.hosts;
    expect(host).toMatchObject({
      name: "tower1",
      cpu: 16,
      cpuVendor: "intel",
      bridge: { name: "local-br0", uplink: "enp9s0" },
    });
    expect(host?.gpus.map((g) => g.key)).toEqual(["rtx3080"]);
    expect(host?.gpus[0]?.iommuGroup).toBe(1);
    expect(host?.gpus[0]?.functions.map((f) => [f.address, f.id, f.resource])).toEqual([
      ["0000:09:00.0", "10de:2206", "nvidia.com/GA102_GEFORCE_RTX_3080"],
      ["0000:09:00.1", "10de:1aef", "nvidia.com/GA102_HIGH_DEFINITION_AUDIO_CONTROLLER"],
    ]);
  });

  it("on the Altra: group 18 with the audio function, as seed 003 claims both", async () => {
    const file = tempFile("lab.yaml");
    await runCli("init", file, "--from-host", "--root", tree(MACHINES.altraRtx3090));
    const lab = parseModel(fs.readFileSync(file, "utf8"), file);
    expect(lab.hosts[0]?.gpus[0]).toMatchObject({ key: "rtx3090", iommuGroup: 18 });
    expect(lab.hosts[0]?.gpus[0]?.functions.map((f) => f.resource)).toEqual([
      "nvidia.com/GA102_GEFORCE_RTX_3090",
      "nvidia.com/GA102_HIGH_DEFINITION_AUDIO_CONTROLLER",
    ]);
  });

  it("every fixture machine gives a lab that validates", async () => {
    for (const [name, spec] of Object.entries(MACHINES)) {
      const file = tempFile(`${name}.yaml`);
      const r = await runCli("init", file, "--from-host", "--root", tree(spec));
      expect(r.code, name).toBe(0);
      expect(() => parseModel(fs.readFileSync(file, "utf8"), file), name).not.toThrow();
    }
  });

  it("the H100 uses the device plugin's exact name, brackets dropped", async () => {
    const file = tempFile("lab.yaml");
    await runCli("init", file, "--from-host", "--root", tree(MACHINES.serverH100));
    expect(fs.readFileSync(file, "utf8")).toContain("resource: nvidia.com/GH100H100_SXM5_80GB");
  });
});

describe("gpuvm render --target host", () => {
  it("renders tower1's host files from the homelab example", async () => {
    const r = await runCli("render", "-f", examplePath("homelab"), "--target", "host");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# tower1/etc/modprobe.d/vfio.conf\n");
    expect(r.stdout).toContain("options vfio-pci ids=10de:2206,10de:1aef");
    expect(r.stdout).toContain(
      'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt vfio-pci.ids=10de:2206,10de:1aef"',
    );
  });

  it("writes one folder per host with --out", async () => {
    const out = tempDir("gpuvm-out-");
    const r = await runCli("render", "-f", examplePath("homelab"), "--target", "host", "--out", out);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(out, "host/tower1/etc/dracut.conf.d/vfio.conf"), "utf8")).toContain(
      "vfio_pci",
    );
    expect(fs.existsSync(path.join(out, "host/tower1/INSTALL.txt"))).toBe(true);
  });

  it("a host without cpuVendor is a located error", async () => {
    const lab = tempFile("lab.yaml");
    fs.writeFileSync(
      lab,
      "apiVersion: gpuvm/v1alpha1\nkind: Lab\nmetadata: { name: l }\nhosts:\n  tower1:\n    capacity: { cpu: 4, memory: 8Gi }\n",
    );
    const r = await runCli("render", "-f", lab, "--target", "host");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lab\.yaml:5:3: hosts\.tower1: cpuVendor is needed by the host target/);
  });
});
