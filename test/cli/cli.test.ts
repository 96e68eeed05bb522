import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runCli } from "../support/cli.js";
import { examplePath } from "../support/labs.js";
import { tempDir } from "../support/temp.js";

const homelab = examplePath("homelab");

describe("gpuvm render", () => {
  it("prints a multi-document YAML stream of every object", async () => {
    const result = await runCli("render", "-f", homelab);
    expect(result.code).toBe(0);
    const docs = parseAllDocuments(result.stdout).map((doc) => doc.toJS());
    expect(docs.map((doc) => `${doc.kind}/${doc.metadata.name}`)).toContain(
      "VirtualMachine/gaming-compat-live",
    );
    expect(docs[0].kind).toBe("Namespace");
    expect(docs.at(-1).kind).toBe("VirtualMachine");
  });

  it("prints one kind: List with -o json, as kubectl does", async () => {
    const result = await runCli("render", "-f", homelab, "-o", "json");
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout);
    expect(list).toMatchObject({ apiVersion: "v1", kind: "List" });
    expect(list.items).toHaveLength(18);
  });

  it("is deterministic: the same lab gives byte-identical output", async () => {
    const first = await runCli("render", "-f", homelab);
    const second = await runCli("render", "-f", homelab);
    expect(second.stdout).toBe(first.stdout);
  });

  it("writes one file per object and a kustomization listing them with --out", async () => {
    const dir = tempDir("gpuvm-cli-");
    const result = await runCli("render", "-f", homelab, "--out", dir);
    expect(result.code).toBe(0);
    const files = await readdir(join(dir, "kubevirt"));
    expect(files).toContain("virtualmachine-gaming-live.yaml");
    expect(files).toContain("storageclass-lg-hdd-raw-x1-immediate-on-tower1.yaml");
    const kustomization = parseAllDocuments(
      await readFile(join(dir, "kubevirt", "kustomization.yaml"), "utf8"),
    )[0]?.toJS();
    expect(kustomization.kind).toBe("Kustomization");
    expect([...kustomization.resources].sort()).toEqual(
      files.filter((file) => file !== "kustomization.yaml").sort(),
    );
    expect(result.stderr).toContain("kubevirt: wrote 19 files");
  });

  it("quotes MAC addresses that YAML 1.1 readers would take for numbers", async () => {
    const dir = tempDir("gpuvm-cli-");
    const lab = (await readFile(homelab, "utf8")).replace('"8a:d3:14:ca:21:70"', '"12:34:56:12:34:56"');
    await writeFile(join(dir, "lab.yaml"), lab);
    const result = await runCli("render", "-f", join(dir, "lab.yaml"));
    expect(result.stdout).toContain('macAddress: "12:34:56:12:34:56"');
  });

  it("refuses an unknown target with exit code 2", async () => {
    const result = await runCli("render", "-f", homelab, "--target", "proxmox");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'gpuvm: unknown target "proxmox"; known: kubevirt, host, harvester, capk, router\n',
    );
  });
});

describe("exit codes and messages", () => {
  it("exits 1 with located messages for an invalid lab, printing nothing on stdout", async () => {
    const dir = tempDir("gpuvm-cli-");
    await writeFile(
      join(dir, "bad.yaml"),
      (await readFile(homelab, "utf8")).replace("cpu: 80%", "cpu: 85 %"),
    );
    const result = await runCli("render", "-f", join(dir, "bad.yaml"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+: vms\.gaming\.modes\.live\.cpu: must be a percentage/);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("exits 1 for binary garbage, a missing file and a directory", async () => {
    const dir = tempDir("gpuvm-cli-");
    await writeFile(join(dir, "garbage.bin"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0xff]));
    expect(await runCli("validate", "-f", join(dir, "garbage.bin"))).toEqual({
      code: 1,
      stdout: "",
      stderr: `${join(dir, "garbage.bin")}:1:1: is not a text file (a NUL byte at offset 6); expected a YAML lab file\n`,
    });
    await writeFile(join(dir, "latin1.yaml"), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    expect((await runCli("validate", "-f", join(dir, "latin1.yaml"))).stderr).toContain("is not UTF-8 text");
    expect((await runCli("validate", "-f", join(dir, "nope.yaml"))).stderr).toBe(
      `${join(dir, "nope.yaml")}:1:1: no such file\n`,
    );
    expect((await runCli("validate", "-f", dir)).stderr).toBe(`${dir}:1:1: is a directory, not a lab file\n`);
  });

  it("exits 2 for usage errors: unknown command, unknown option, missing -f, bad -o", async () => {
    expect((await runCli("frobnicate")).code).toBe(2);
    expect((await runCli("render", "-f", homelab, "--colour")).code).toBe(2);
    const missing = await runCli("render");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '-f, --file <lab>' not specified");
    const format = await runCli("render", "-f", homelab, "-o", "xml");
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("Allowed choices are yaml, json");
  });

  it("answers --help on every command and --version, with exit code 0", async () => {
    for (const command of [[], ["init"], ["validate"], ["render"], ["schema"]]) {
      const result = await runCli(...command, "--help");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Usage: gpuvm");
    }
    const version = await runCli("--version");
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });
});

describe("gpuvm validate", () => {
  it("summarises what the lab resolves to, and -o json gives it to scripts", async () => {
    const text = await runCli("validate", "-f", homelab);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("gaming-live: 13 cores, 26Gi, GPU rtx3080 on tower1 (required)");
    const json = JSON.parse((await runCli("validate", "-f", homelab, "-o", "json")).stdout);
    expect(json.vms[1].modes[0]).toEqual({
      name: "gaming-compat-live",
      mode: "live",
      host: "tower1",
      affinity: "required",
      cores: 13,
      memory: "26Gi",
      gpus: ["rtx3080"],
    });
  });
});

describe("gpuvm init and schema", () => {
  it("writes a starter lab that validates, and never overwrites without --force", async () => {
    const dir = tempDir("gpuvm-cli-");
    const file = join(dir, "lab.yaml");
    expect((await runCli("init", file)).code).toBe(0);
    expect((await runCli("validate", "-f", file)).code).toBe(0);
    const again = await runCli("init", file);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`gpuvm: ${file} exists already; use --force to overwrite it\n`);
    expect((await runCli("init", file, "--force")).code).toBe(0);
  });

  it("prints a JSON Schema that an editor can use", async () => {
    const result = await runCli("schema");
    const schema = JSON.parse(result.stdout);
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.properties.vms.additionalProperties.properties.modes.properties).toHaveProperty("live");
    expect(schema.additionalProperties).toBe(false);
  });
});
