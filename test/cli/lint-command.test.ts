// gpuvm lint, and lint as the gate of validate and render: what the user sees and the exit codes.
import { describe, expect, it } from "vitest";
import { BASE, variant, where } from "../lint/support.js";
import { runCli } from "../support/cli.js";
import { examplePath } from "../support/labs.js";
import { tempFile } from "../support/temp.js";

function labFile(text: string): string {
  return tempFile("lab.yaml", text, "gpuvm-lint-");
}

const homelab = examplePath("homelab");
// A placeholder MAC: an error-level finding (GV020).
const broken = () => labFile(variant(['"8a:d3:14:ca:21:70"', '"8a:d3:14:ca:21:XX"']));
// A Windows VM: one warning (GV004), nothing else.
const warned = () => labFile(variant(["os: linux", "os: windows"]));

describe("gpuvm lint", () => {
  it("prints each finding as file:line:col, severity, id and message, then its fix, and a summary", async () => {
    const { code, stdout: out } = await runCli("lint", "-f", homelab);
    expect(code).toBe(0);
    expect(out).toContain(
      `${homelab}:55:59: info GV018: GPU "rtx3080" of host "tower1" is also needed by the live mode of "gaming-compat"`,
    );
    expect(out).toMatch(/GV018: [^\n]*\n {2}fix: nothing to change if that is intended/);
    expect(out.trimEnd().split("\n").at(-1)).toBe(`${homelab}: 0 errors, 0 warnings, 2 info, 1 silenced`);
  });

  it("exits 1 when an error-level rule fires, and with --strict on a warning", async () => {
    expect((await runCli("lint", "-f", broken())).code).toBe(1);
    const file = warned();
    expect((await runCli("lint", "-f", file)).code).toBe(0);
    const strict = await runCli("lint", "-f", file, "--strict");
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("error GV004");
  });

  it("writes the documented JSON document", async () => {
    const text = variant(
      ["os: linux\n", 'os: windows\n    lint: { ignore: { GV004: "drivers installed" } }\n'],
      ['"8a:d3:14:ca:21:70"', '"8a:d3:14:ca:21:XX"'],
    );
    const file = labFile(text);
    const { code, stdout: out } = await runCli("lint", "-f", file, "-o", "json");
    expect(code).toBe(1);
    const document = JSON.parse(out);
    expect(Object.keys(document)).toEqual(["findings", "ignored", "summary"]);
    expect(document.findings).toEqual([
      {
        id: "GV020",
        severity: "error",
        message: expect.stringContaining("is a placeholder"),
        fix: expect.any(String),
        location: { file, ...where(text, '"8a:d3:14:ca:21:XX"') },
        path: "vms.vm1.nics.lan.mac",
        vm: "vm1",
      },
    ]);
    expect(document.ignored).toEqual([
      expect.objectContaining({
        id: "GV004",
        vm: "vm1",
        reason: "drivers installed",
        path: "vms.vm1.modes.live",
      }),
    ]);
    expect(document.summary).toEqual({ errors: 1, warnings: 0, info: 0 });
    // Stable: the same input gives the same bytes.
    expect((await runCli("lint", "-f", file, "-o", "json")).stdout).toBe(out);
  });

  it("refuses a target it does not know (exit 2)", async () => {
    const { code, stderr: err } = await runCli("lint", "-f", homelab, "--target", "proxmox");
    expect(code).toBe(2);
    expect(err).toContain('unknown target "proxmox"');
  });
});

describe("lint inside render and validate", () => {
  it("render stops on an error: findings on stderr, nothing on stdout, exit 1", async () => {
    const { code, stdout: out, stderr: err } = await runCli("render", "-f", broken());
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain("error GV020");
  });

  it("render prints warnings to stderr and renders anyway; --strict stops it", async () => {
    const file = warned();
    const rendered = await runCli("render", "-f", file);
    expect(rendered.code).toBe(0);
    expect(rendered.stderr).toContain("warning GV004");
    expect(rendered.stdout).toContain("kind: VirtualMachine");
    const strict = await runCli("render", "-f", file, "--strict");
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe("");
  });

  it("validate fails on an error and passes a clean lab without findings", async () => {
    const failed = await runCli("validate", "-f", broken());
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toContain("GV020");
    const clean = await runCli("validate", "-f", labFile(BASE));
    expect(clean.code).toBe(0);
    expect(clean.stderr).toBe("");
  });
});
