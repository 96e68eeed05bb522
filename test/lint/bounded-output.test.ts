// Lint output stays proportional to the lab: a finding about many VMs names a few and counts the rest,
// and a value pasted into the lab by mistake is clipped in the printed line.
import { describe, expect, it } from "vitest";
import { formatFinding } from "../../src/lint/format.js";
import { BASE, lint, variant } from "./support.js";

/** `count` more VMs whose live modes pass vm1's GPU. */
const sharing = (count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `  vm${i + 2}:\n    disks:\n      system: { size: 64Gi, storage: fast }\n    modes:\n      live: { host: tower1, cpu: 2, memory: 4Gi, gpus: [gpu] }\n`,
  ).join("");

describe("bounded lint output", () => {
  it("GV018 names three of the other VMs on the GPU and how many more there are", () => {
    const findings = lint({ text: BASE + sharing(9) }).findings.filter((finding) => finding.id === "GV018");
    expect(findings).toHaveLength(10);
    const first = findings.find((finding) => finding.vm === "vm1");
    expect(first?.message).toBe(
      'GPU "gpu" of host "tower1" is also needed by the live mode of "vm2", "vm3", "vm4" and 6 more: only one of them can run at a time',
    );
    const third = findings.find((finding) => finding.vm === "vm3");
    expect(third?.message).toContain('"vm1", "vm2", "vm4" and 6 more:');
    // Every line the same length whatever the number of VMs: 2,000 VMs on a GPU print 2,000 short lines.
    const bigger = lint({ text: BASE + sharing(99) }).findings.find((finding) => finding.vm === "vm1");
    expect(bigger?.message.length).toBe((first?.message.length ?? 0) + 1);
  });

  it("names all of them when there are three or fewer", () => {
    const findings = lint({ text: BASE + sharing(3) }).findings.filter((finding) => finding.vm === "vm1");
    expect(findings.find((finding) => finding.id === "GV018")?.message).toContain(
      'live mode of "vm2", "vm3", "vm4": only one',
    );
  });

  it("clips a finding's line when the lab holds a value megabytes long", () => {
    const text = variant(['"8a:d3:14:ca:21:70"', `"${"f".repeat(100_000)}"`]);
    const finding = lint({ text }).findings.find((candidate) => candidate.id === "GV019");
    if (!finding) throw new Error("expected GV019");
    const [line] = formatFinding(finding).split("\n");
    expect(line?.length).toBeLessThan(1200);
    expect(line).toMatch(/… \(\d+ more characters\)$/);
  });
});
