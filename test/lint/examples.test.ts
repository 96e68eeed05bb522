// What lint says about the shipped examples. The homelab (seed 000) lints without errors; its
// warnings are the ones docs/lint.md explains from the seed's own words.
import { describe, expect, it } from "vitest";
import { runLint } from "../../src/lint/run.js";
import { EXAMPLES, exampleLab, exampleText } from "../support/labs.js";

const summary = (name: string) =>
  runLint(exampleLab(name)).findings.map((finding) =>
    `${finding.line}:${finding.col} ${finding.severity} ${finding.id} ${finding.vm ?? ""}`.trim(),
  );

describe("examples", () => {
  it("homelab: the seed's overlapping host-local range, the Windows drivers reminder and the shared GPU", () => {
    expect(summary("homelab")).toEqual([
      "51:44 warning GV026 gaming",
      "53:59 info GV018 gaming",
      "64:44 warning GV026 gaming-compat",
      "66:13 warning GV004 gaming-compat",
      "66:59 info GV018 gaming-compat",
    ]);
    // The locations point at what the messages name.
    const lines = exampleText("homelab").split("\n");
    expect(lines[50]).toContain("ip: 192.168.26.100");
    expect(lines[65]).toMatch(/^ {6}live: .*gpus: \[rtx3080\]/);
  });

  it("no example has an error-level finding", () => {
    for (const name of EXAMPLES) {
      expect(runLint(exampleLab(name)).summary.errors, name).toBe(0);
    }
  });
});
