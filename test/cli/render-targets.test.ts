// `gpuvm render` with the harvester, capk and router targets: their flags, files and errors.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../support/cli.js";
import { examplePath, repoRoot } from "../support/labs.js";
import { readUci } from "../support/router-readers.js";

const FIXTURE = resolve(repoRoot, "test/fixtures/capk/clusterctl-kubevirt-cl.yaml");
const scratch = () => mkdtempSync(join(tmpdir(), "gpuvm-render-"));

describe("render flags for the wrong target", () => {
  it.each([
    ["--as-patch", [], "harvester"],
    ["--patch-into", ["cluster.yaml"], "capk"],
    ["--format", ["dnsmasq"], "router"],
  ])("%s with -t kubevirt is a usage error naming its target", async (flag, value, owner) => {
    const result = await runCli("render", "-f", examplePath("homelab"), "-t", "kubevirt", flag, ...value);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`gpuvm: ${flag} applies to the ${owner} target, not kubevirt\n`);
    expect(result.stdout).toBe("");
  });

  it("refuses an unknown router format", async () => {
    const result = await runCli("render", "-f", examplePath("homelab"), "-t", "router", "--format", "hosts");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("uci, dnsmasq");
  });
});

describe("render -t router", () => {
  it("prints the UCI leases alone, ready to redirect", async () => {
    const result = await runCli("render", "-f", examplePath("homelab"), "-t", "router");
    expect(result.code).toBe(0);
    expect(readUci(result.stdout).map((section) => section.options.name)).toEqual([
      "gaming.vms.lab.x.y.z",
      "gaming-compat.vms.lab.x.y.z",
    ]);
  });
});

describe("render --out with several targets (GitOps layout)", () => {
  it("writes one folder per target: kustomization for objects, the leases file alone for the router", async () => {
    const out = scratch();
    const result = await runCli(
      "render",
      "-f",
      examplePath("homelab"),
      "--target",
      "kubevirt",
      "router",
      "--out",
      out,
    );
    expect(result.code).toBe(0);
    expect(readdirSync(join(out, "router"))).toEqual(["dhcp-static-leases.uci"]);
    const kustomization = parse(readFileSync(join(out, "kubevirt", "kustomization.yaml"), "utf8"));
    expect(kustomization.resources).toContain("virtualmachine-gaming-live.yaml");
    for (const file of kustomization.resources) expect(readdirSync(join(out, "kubevirt"))).toContain(file);
  });

  it("writes the Harvester patch form: claims in the kustomization, the patch and the runbook beside", async () => {
    const out = scratch();
    const result = await runCli(
      "render",
      "-f",
      examplePath("harvester-docker-host"),
      "-t",
      "harvester",
      "--as-patch",
      "--out",
      out,
    );
    expect(result.code).toBe(0);
    const folder = join(out, "harvester");
    expect(readdirSync(folder).sort()).toEqual([
      "attach-gpus.sh",
      "kustomization.yaml",
      "patches",
      "pcideviceclaim-altra-000c01000.yaml",
      "pcideviceclaim-altra-000c01001.yaml",
    ]);
    expect(parse(readFileSync(join(folder, "kustomization.yaml"), "utf8")).resources).toEqual([
      "pcideviceclaim-altra-000c01000.yaml",
      "pcideviceclaim-altra-000c01001.yaml",
    ]);
    expect(readdirSync(join(folder, "patches"))).toEqual(["vm-docker-host-gpu.patch.json"]);
  });
});

describe("render -t capk --patch-into", () => {
  it("edits the clusterctl manifest in place, prints the KubeVirt CR and says what changed", async () => {
    const dir = scratch();
    const file = join(dir, "cluster.yaml");
    copyFileSync(FIXTURE, file);
    const result = await runCli("render", "-f", examplePath("capk-gpu-worker"), "--patch-into", file);
    expect(result.code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(
      "gpus:\n                    - deviceName: nvidia.com/gpu_dev1",
    );
    expect(result.stderr).toBe(
      `capk: ${file}: KubevirtMachineTemplate kubevirt-cl-md-0 now has gpus nvidia.com/gpu_dev1\n`,
    );
    expect(parse(result.stdout).kind).toBe("KubeVirt");
    expect(readdirSync(dir)).toEqual(["cluster.yaml"]); // no temporary file left behind
  });

  it.each([
    [
      "not a clusterctl manifest",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n",
      "is not a clusterctl manifest",
    ],
    [
      "without a worker template",
      readFileSync(FIXTURE, "utf8").replaceAll("kubevirt-cl-md-0", "kubevirt-cl-w"),
      "has no worker template",
    ],
  ])("leaves a file %s untouched and exits 1", async (_what, text, message) => {
    const dir = scratch();
    const file = join(dir, "cluster.yaml");
    writeFileSync(file, text);
    const result = await runCli("render", "-f", examplePath("capk-gpu-worker"), "--patch-into", file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(readdirSync(dir)).toEqual(["cluster.yaml"]);
  });

  it("cannot be combined with --out, and a missing file is a usage error", async () => {
    const file = join(scratch(), "cluster.yaml");
    copyFileSync(FIXTURE, file);
    const both = await runCli(
      "render",
      "-f",
      examplePath("capk-gpu-worker"),
      "--patch-into",
      file,
      "--out",
      scratch(),
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("cannot be combined with --out");
    expect(readFileSync(file, "utf8")).toBe(readFileSync(FIXTURE, "utf8"));
    const missing = await runCli(
      "render",
      "-f",
      examplePath("capk-gpu-worker"),
      "--patch-into",
      join(scratch(), "none.yaml"),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read");
  });
});
