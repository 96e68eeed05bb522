// The YAML a lab file may use: plain YAML 1.2 mappings, lists and scalars, anchors and aliases one level
// deep. Everything else is refused at its place, never read into something the schema does not see.
import { describe, expect, it } from "vitest";
import { parseModel } from "../../src/model/index.js";
import { BASE, edit, rejection } from "./support.js";

const ACCEPTED_TAGS = "a lab file holds plain mappings, lists and scalars (remove the tag)";
const MAINTENANCE = "      maintenance: { cpu: 2, memory: 4Gi }\n";
/** BASE with a second VM whose maintenance mode is `mode` (anchored from the first VM's). */
const withSecondVm = (mode: string) =>
  `${edit(MAINTENANCE, "      maintenance: &small { cpu: 2, memory: 4Gi }\n")}  other:\n    disks: { system: { size: 1Gi, storage: system } }\n    modes: { maintenance: ${mode} }\n`;

describe("YAML tags", () => {
  it.each([
    // Today's silent loss: a set of enlightenments passed the key check and dropped the Windows settings.
    ["!!set", edit("  gaming:\n", "  gaming:\n    hyperv: !!set { relaxd }\n"), "18:13"],
    ["!!omap", edit("  gaming:\n", "  gaming:\n    hyperv: !!omap [ relaxed: true ]\n"), "18:13"],
    ["!!pairs", edit("  gaming:\n", "  gaming:\n    hyperv: !!pairs [ relaxed: true ]\n"), "18:13"],
    ["!!binary", edit("size: 64Gi", "size: !!binary NjRHaQ=="), "18:30"],
    ["!!timestamp", edit("  gaming:\n", "  gaming:\n    description: !!timestamp 2001-12-14\n"), "18:18"],
    ["!gib", edit("memory: 32Gi", "memory: !gib 32"), "6:34"],
    ["!<tag:yaml.org,2002:str>", edit("memory: 32Gi", "memory: !<tag:yaml.org,2002:str> 32Gi"), "6:34"],
  ])("refuses %s where it is written", (tag, text, at) => {
    expect(rejection(text)).toEqual([`lab.yaml:${at}: YAML tag ${tag} is not accepted: ${ACCEPTED_TAGS}`]);
  });

  it("reads a core-schema tag (!!str) and untagged scalars as YAML 1.2 does", () => {
    const lab = parseModel(edit("memory: 32Gi", "memory: !!str 32Gi"));
    expect(lab.hosts[0]?.memoryBytes).toBe(32 * 2 ** 30);
  });

  it("refuses directives that would change how the file reads", () => {
    expect(rejection(`%YAML 1.1\n---\n${BASE}`)).toEqual([
      'lab.yaml:1:1: YAML directive "%YAML 1.1" is not accepted: only YAML 1.2 is read',
    ]);
    expect(rejection(`%TAG !g! tag:gpuvm.io,2026:\n---\n${BASE}`)).toEqual([
      'lab.yaml:1:1: YAML directive "%TAG !g! tag:gpuvm.io,2026:" is not accepted: a lab file uses no tags',
    ]);
    expect(parseModel(`%YAML 1.2\n---\n${BASE}`).name).toBe("t");
  });
});

describe("anchors, aliases and merge keys", () => {
  it("expands an alias of a plain value", () => {
    const lab = parseModel(withSecondVm("*small"));
    expect(lab.vms[1]?.modes[0]).toMatchObject({ objectName: "other-maintenance", cores: 2, memory: "4Gi" });
  });

  it("refuses an alias without an anchor, at the alias", () => {
    expect(rejection(edit("size: 64Gi", "size: *big"))).toEqual([
      "lab.yaml:18:30: YAML alias *big has no anchor &big before it",
    ]);
  });

  it("refuses a merge key (YAML 1.1) instead of reading a key called <<", () => {
    expect(rejection(withSecondVm("{ <<: *small, cpu: 1 }"))).toEqual([
      "lab.yaml:25:29: merge keys (<<) are YAML 1.1, which gpuvm does not read: write the keys out, or alias the whole mapping",
    ]);
  });

  it("refuses aliases of aliases and aliases inside their own anchor", () => {
    expect(rejection("a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b]\n")).toEqual([
      "lab.yaml:3:5: YAML alias *b points at a value that holds aliases itself: gpuvm expands aliases one level only",
    ]);
    expect(rejection("a: &a { b: *a }\n")).toEqual([
      "lab.yaml:1:12: YAML alias *a points at a value that holds aliases itself: gpuvm expands aliases one level only",
    ]);
  });

  it("refuses aliases that would repeat more than the file holds (an expansion bomb)", () => {
    const text = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [${Array(30).fill("*a").join(", ")}]\n`;
    expect(rejection(text)).toEqual([
      "lab.yaml:2:25: YAML aliases here repeat more text than the whole file holds: write the values out",
    ]);
  });
});

describe("keys", () => {
  it("refuses a mapping as a key (the YAML library would print a warning and read a made-up name)", () => {
    expect(rejection(edit("  tower1:\n", "  ? { gateway: 1 }\n  : x\n  tower1:\n"))).toEqual([
      "lab.yaml:5:5: YAML: a key must be a plain name, not a mapping, a list or an alias",
    ]);
  });

  it("refuses a key twice in one mapping, at the second, in a lab of thousands of keys", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `  p${i}: { value: ${i} }\n`).join("");
    const text = edit("vms:\n", `priorities:\n${many}  p7: { value: 1 }\nvms:\n`);
    expect(rejection(text)).toEqual(["lab.yaml:5017:3: YAML: a key appears twice in this mapping"]);
  });
});

describe("nesting and line endings", () => {
  it("refuses nesting no lab needs, located, before the parser's recursion gives out", () => {
    const deep = edit("  gaming:\n", `  gaming:\n    description: ${"[".repeat(70)}${"]".repeat(70)}\n`);
    expect(rejection(deep)).toEqual([
      "lab.yaml:18:79: YAML nests more than 64 levels deep here; a lab file needs about 8",
    ]);
    // Thousands deep: the same message at the same place, not where the stack happened to run out.
    expect(rejection(`a: ${"[".repeat(5000)}${"]".repeat(5000)}\n`)).toEqual([
      "lab.yaml:1:67: YAML nests more than 64 levels deep here; a lab file needs about 8",
    ]);
    const block = `a:\n${Array.from({ length: 100 }, (_, i) => `${" ".repeat(i + 1)}b:\n`).join("")}`;
    expect(rejection(block)).toEqual([
      "lab.yaml:65:65: YAML nests more than 64 levels deep here; a lab file needs about 8",
    ]);
  });

  it("reads a file with CR-only line endings line by line (not as one comment, not as empty)", () => {
    const classicMac = `# a lab\r${BASE.replace(/\n/g, "\r")}`;
    expect(parseModel(classicMac).vms.map((vm) => vm.name)).toEqual(["gaming"]);
    // Positions count CR as a line break, as YAML does.
    const broken = `# a lab\r${edit("cpu: 16", "cpu: sixteen").replace(/\n/g, "\r")}`;
    expect(rejection(broken)).toEqual([
      'lab.yaml:7:22: hosts.tower1.capacity.cpu: expected a number, found "sixteen"',
    ]);
    const windows = edit("cpu: 16", "cpu: sixteen").replace(/\n/g, "\r\n");
    expect(rejection(windows)).toEqual([
      'lab.yaml:6:22: hosts.tower1.capacity.cpu: expected a number, found "sixteen"',
    ]);
  });
});
