// gpuvm init: the starter lab, the schema its first line points at, and never a lost file.
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

describe("gpuvm init", () => {
  it("writes gpuvm.schema.json beside the lab, the file its first line names", async () => {
    const dir = tempDir("gpuvm-init-");
    const file = join(dir, "lab.yaml");
    const result = await runCli("init", file);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `wrote ${file} and ${join(dir, "gpuvm.schema.json")}; next: gpuvm validate -f ${file}\n`,
    );
    expect(readFileSync(file, "utf8")).toMatch(/^# yaml-language-server: \$schema=\.\/gpuvm\.schema\.json\n/);
    expect(readFileSync(join(dir, "gpuvm.schema.json"), "utf8")).toBe((await runCli("schema")).stdout);
  });

  it("keeps a gpuvm.schema.json that differs, and says so; --force replaces it", async () => {
    const dir = tempDir("gpuvm-init-");
    const schema = join(dir, "gpuvm.schema.json");
    writeFileSync(schema, "{}\n");
    const kept = await runCli("init", join(dir, "lab.yaml"));
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain(`gpuvm: kept ${schema}, which differs from this gpuvm's schema`);
    expect(readFileSync(schema, "utf8")).toBe("{}\n");
    expect((await runCli("init", join(dir, "lab.yaml"), "--force")).code).toBe(0);
    expect(readFileSync(schema, "utf8")).toBe((await runCli("schema")).stdout);
  });

  it("leaves an existing lab file alone without --force, and keeps its mode with it", async () => {
    const dir = tempDir("gpuvm-init-");
    const file = join(dir, "lab.yaml");
    writeFileSync(file, "# mine\n");
    chmodSync(file, 0o640);
    const refused = await runCli("init", file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`gpuvm: ${file} exists already; use --force to overwrite it\n`);
    expect(readFileSync(file, "utf8")).toBe("# mine\n");
    expect((await runCli("init", file, "--force")).code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("kind: Lab");
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it("never writes through a symbolic link, even with --force", async () => {
    const dir = tempDir("gpuvm-init-");
    const outside = join(tempDir("gpuvm-init-"), "victim");
    writeFileSync(outside, "precious\n");
    symlinkSync(outside, join(dir, "lab.yaml"));
    const result = await runCli("init", join(dir, "lab.yaml"), "--force");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("lab.yaml is a symbolic link");
    expect(readFileSync(outside, "utf8")).toBe("precious\n");
  });
});
