// What `gpuvm render` prints for every shipped example and every target (and each form of a target's
// output), kept as files under __snapshots__/<example>/ so a change to the output shows in review as a
// diff of the YAML or text a user gets. upstream-validation.test.ts checks the same output against the
// upstream schemas; this file pins it. After an intended change: npx vitest run test/render/snapshots.test.ts -u
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { EXAMPLES, examplePath, repoRoot } from "../support/labs.js";

/** Each form of output: the render flags and the file the snapshot is kept in. */
const OUTPUTS: { file: string; args: string[] }[] = [
  { file: "kubevirt.yaml", args: ["-t", "kubevirt"] },
  { file: "harvester.yaml", args: ["-t", "harvester"] },
  // Claims (YAML) followed by the patch files and runbook, each under a "# <path>" line.
  { file: "harvester-as-patch.txt", args: ["-t", "harvester", "--as-patch"] },
  { file: "capk.yaml", args: ["-t", "capk"] },
  { file: "host.txt", args: ["-t", "host"] },
  { file: "router-uci.txt", args: ["-t", "router", "--format", "uci"] },
  { file: "router-dnsmasq.txt", args: ["-t", "router", "--format", "dnsmasq"] },
];

/** Every lab file shipped in examples/, read from disk so a new example cannot go without snapshots. */
const shipped = readdirSync(resolve(repoRoot, "examples"))
  .filter((name) => name.endsWith(".yaml"))
  .map((name) => name.slice(0, -".yaml".length))
  .sort();

it("covers every shipped example (test/support/labs.ts EXAMPLES lists them all)", () => {
  expect(shipped).toEqual([...EXAMPLES].sort());
});

describe.each(shipped)("render of examples/%s.yaml", (example) => {
  it.each(OUTPUTS)("$file", async ({ file, args }) => {
    const result = await runCli("render", "-f", examplePath(example), ...args);
    expect(result.code, result.stderr).toBe(0);
    await expect(result.stdout).toMatchFileSnapshot(`__snapshots__/${example}/${file}`);
  });
});
