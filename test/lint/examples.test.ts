// What lint says about the shipped examples. Every example passes `lint --strict`: a user's first
// render of the homelab (seed 000) shows no warning, only the shared GPU as information.
import { describe, expect, it } from "vitest";
import { runLint } from "../../src/lint/run.js";
import { runCli } from "../support/cli.js";
import { EXAMPLES, exampleLab, examplePath, exampleText } from "../support/labs.js";

const summary = (name: string) =>
  runLint(exampleLab(name)).findings.map((finding) =>
    `${finding.line}:${finding.col} ${finding.severity} ${finding.id} ${finding.vm ?? ""}`.trim(),
  );

describe("examples", () => {
  it("homelab: only the shared GPU, as information; the Windows drivers reminder is silenced with its reason", () => {
    expect(summary("homelab")).toEqual(["55:59 info GV018 gaming", "68:59 info GV018 gaming-compat"]);
    // The locations point at what the messages name.
    const lines = exampleText("homelab").split("\n");
    expect(lines[54]).toMatch(/^ {6}live: .*gpus: \[rtx3080\]/);
    expect(lines[67]).toMatch(/^ {6}live: .*gpus: \[rtx3080\]/);
    const ignored = runLint(exampleLab("homelab")).ignored.map((finding) => `${finding.id} ${finding.vm}`);
    expect(ignored).toEqual(["GV004 gaming-compat"]);
  });

  it("homelab keeps the seed's static leases outside its host-local range (GV026)", () => {
    const lab = exampleLab("homelab");
    const lan = lab.networks.find((network) => network.key === "lan");
    expect(lan?.range).toEqual({ start: "192.168.26.200", end: "192.168.26.210" });
    expect(lab.vms.flatMap((vm) => vm.nics.map((nic) => nic.ip))).toEqual([
      "192.168.26.100",
      "192.168.26.101",
    ]);
  });

  it.each(EXAMPLES)("gpuvm lint --strict -f examples/%s.yaml exits 0", async (name) => {
    const result = await runCli("lint", "--strict", "-f", examplePath(name));
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/: 0 errors, 0 warnings, /);
    expect(result.code).toBe(0);
  });
});
