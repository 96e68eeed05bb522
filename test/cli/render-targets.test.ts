// `gpuvm render` with the harvester, capk and router targets: their flags, files and errors, and what
// --out writes, lists and removes.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../support/cli.js";
import { examplePath, repoRoot } from "../support/labs.js";
import { readUci } from "../support/router-readers.js";
import { tempDir } from "../support/temp.js";

const FIXTURE = resolve(repoRoot, "test/fixtures/capk/clusterctl-kubevirt-cl.yaml");
const scratch = () => tempDir("gpuvm-render-");

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

describe("render -t router -o json", () => {
  it("prints the leases and DNS names as JSON objects", async () => {
    const result = await runCli("render", "-f", examplePath("homelab"), "-t", "router", "-o", "json");
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ apiVersion: "gpuvm/v1alpha1", kind: "StaticLeases", lab: "homelab" });
    expect(json.leases[0]).toEqual({
      name: "gaming.vms.lab.x.y.z",
      vm: "gaming",
      network: "lan",
      mac: "8a:d3:14:ca:21:70",
      ip: "192.168.26.100",
    });
  });

  it("refuses --format with -o json: one asks for a file format, the other for JSON", async () => {
    const result = await runCli(
      "render",
      "-f",
      examplePath("homelab"),
      "-t",
      "router",
      "-o",
      "json",
      "--format",
      "uci",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("use one of them");
    expect(result.stdout).toBe("");
  });

  it("refuses -o json for files that are not objects (host target), naming the outputs that work", async () => {
    const result = await runCli("render", "-f", examplePath("homelab"), "-t", "host", "-o", "json");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "gpuvm: -o json prints objects only, and the host target renders files, not objects",
    );
    expect(result.stderr).toContain("next: print them with -o yaml, or write them with --out DIR");
    expect(result.stdout).toBe("");
  });
});

describe("render --out: what gpuvm writes, and nothing else", () => {
  const render = (out: string, ...more: string[]) =>
    runCli("render", "-f", examplePath("homelab"), "-t", "router", "--out", out, ...more);

  // Every name the writer could use: the file, the fixed temporary name older versions wrote through,
  // the target's folder and the manifest. The planted links point at a file and a folder outside.
  it.each([
    ["router/dhcp-static-leases.uci", "file", 1],
    ["router/dhcp-static-leases.uci.gpuvm-tmp", "file", 0],
    ["router", "folder", 1],
    [".gpuvm-manifest.json", "file", 1],
  ])("a symbolic link planted at %s never redirects the write", async (planted, kind, code) => {
    const out = scratch();
    const outside = scratch();
    writeFileSync(join(outside, "victim"), "precious\n");
    expect((await render(out)).code).toBe(0);
    rmSync(join(out, planted), { recursive: true, force: true });
    symlinkSync(kind === "file" ? join(outside, "victim") : outside, join(out, planted));
    const result = await render(out);
    expect(result.code).toBe(code);
    if (code === 1) expect(result.stderr).toContain("is a symbolic link");
    expect(readdirSync(outside)).toEqual(["victim"]);
    expect(readFileSync(join(outside, "victim"), "utf8")).toBe("precious\n");
  });

  it("keeps a rewritten file's mode", async () => {
    const out = scratch();
    await render(out);
    const leases = join(out, "router", "dhcp-static-leases.uci");
    chmodSync(leases, 0o640);
    expect((await render(out)).code).toBe(0);
    expect(statSync(leases).mode & 0o777).toBe(0o640);
  });

  it("lists a file it wrote earlier and no longer renders, and removes it only with --prune-files", async () => {
    const out = scratch();
    await render(out);
    writeFileSync(join(out, "router", "notes.txt"), "mine\n");
    const switched = await render(out, "--format", "dnsmasq");
    expect(switched.code).toBe(0);
    const uci = join(out, "router", "dhcp-static-leases.uci");
    expect(switched.stderr).toContain(
      `router: 1 file(s) gpuvm wrote earlier and no longer renders (--prune-files removes them):\n  ${uci}\n`,
    );
    expect(existsSync(uci)).toBe(true);
    const pruned = await render(out, "--format", "dnsmasq", "--prune-files");
    expect(pruned.stderr).toContain(`router: removed ${uci}: gpuvm wrote it and no longer renders it\n`);
    expect(readdirSync(join(out, "router")).sort()).toEqual(["dnsmasq-static-leases.conf", "notes.txt"]);
    expect(readFileSync(join(out, "router", "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("never removes a file edited since gpuvm wrote it, and says so", async () => {
    const out = scratch();
    await render(out);
    const uci = join(out, "router", "dhcp-static-leases.uci");
    writeFileSync(uci, "# my own leases\n");
    const pruned = await render(out, "--format", "dnsmasq", "--prune-files");
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain(
      `router: ${uci}: no longer rendered, but edited since gpuvm wrote it; left in place`,
    );
    expect(readFileSync(uci, "utf8")).toBe("# my own leases\n");
  });

  it("refuses --prune-files without --out", async () => {
    const result = await runCli("render", "-f", examplePath("homelab"), "-t", "router", "--prune-files");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("gpuvm: --prune-files goes with --out DIR\n");
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

  it("refuses a clusterctl manifest that is a symbolic link, before rendering, and leaves its target as it was", async () => {
    const dir = scratch();
    copyFileSync(FIXTURE, join(dir, "real.yaml"));
    symlinkSync(join(dir, "real.yaml"), join(dir, "cluster.yaml"));
    const result = await runCli(
      "render",
      "-f",
      examplePath("capk-gpu-worker"),
      "--patch-into",
      join(dir, "cluster.yaml"),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cluster.yaml is a symbolic link");
    expect(result.stdout).toBe("");
    expect(readFileSync(join(dir, "real.yaml"), "utf8")).toBe(readFileSync(FIXTURE, "utf8"));
  });

  it("keeps the edited manifest's mode", async () => {
    const file = join(scratch(), "cluster.yaml");
    copyFileSync(FIXTURE, file);
    chmodSync(file, 0o640);
    expect((await runCli("render", "-f", examplePath("capk-gpu-worker"), "--patch-into", file)).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o640);
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
