// Broken lab files: each must fail with exactly the located message a user needs, never a stack trace.
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/config/problem.js";
import { parseModel } from "../../src/model/index.js";
import { BASE, edit } from "./support.js";

const CASES: [name: string, text: string, expected: string[]][] = [
  [
    "empty file",
    "",
    ["lab.yaml:1:1: the file is empty; expected a lab (apiVersion: gpuvm/v1alpha1, kind: Lab)"],
  ],
  [
    "only a comment",
    "# nothing here\n",
    ["lab.yaml:1:1: the file is empty; expected a lab (apiVersion: gpuvm/v1alpha1, kind: Lab)"],
  ],
  [
    "not YAML",
    "hosts: [a, b\nvms: }\n",
    [
      "lab.yaml:2:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      'lab.yaml:2:6: YAML: Unexpected flow-map-end token in YAML stream: "}"',
    ],
  ],
  [
    "a list at the top",
    "- a\n- b\n",
    ["lab.yaml:1:1: expected a mapping (apiVersion: gpuvm/v1alpha1, kind: Lab), found a list"],
  ],
  [
    "a bare word",
    "hello\n",
    ['lab.yaml:1:1: expected a mapping (apiVersion: gpuvm/v1alpha1, kind: Lab), found "hello"'],
  ],
  [
    "two documents",
    `${BASE}---\nkind: Lab\n`,
    ["lab.yaml:24:1: holds 2 YAML documents; a lab file holds exactly one"],
  ],
  [
    "wrong apiVersion",
    edit("gpuvm/v1alpha1", "gpuvm/v1"),
    ['lab.yaml:1:13: apiVersion: expected "gpuvm/v1alpha1", found "gpuvm/v1"'],
  ],
  ["wrong kind", edit("kind: Lab", "kind: Cluster"), ['lab.yaml:2:7: kind: expected "Lab", found "Cluster"']],
  [
    "missing metadata",
    edit("metadata: { name: t }\n", ""),
    ["lab.yaml:1:1: metadata: is required (expected a mapping)"],
  ],
  [
    "unknown top-level key with a suggestion",
    edit("storage:", "storge:"),
    ['lab.yaml:12:1: storge: unknown key "storge" (did you mean "storage"?)'],
  ],
  [
    "misspelt required key reported once",
    edit("capacity:", "capacty:"),
    ['lab.yaml:6:5: hosts.tower1.capacty: unknown key "capacty" (did you mean "capacity"?)'],
  ],
  [
    "unknown key without a close match",
    edit("  tower1:\n", "  tower1:\n    colour: red\n"),
    ['lab.yaml:6:5: hosts.tower1.colour: unknown key "colour"'],
  ],
  [
    "host name that is no DNS label",
    edit("  tower1:", "  Tower_1:").replace("host: tower1", "host: Tower_1"),
    [
      "lab.yaml:5:3: hosts.Tower_1: name \"Tower_1\" must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
    ],
  ],
  [
    "CPU count as text",
    edit("cpu: 16", "cpu: sixteen"),
    ['lab.yaml:6:22: hosts.tower1.capacity.cpu: expected a number, found "sixteen"'],
  ],
  [
    "fractional CPU count",
    edit("cpu: 16", "cpu: 16.5"),
    ["lab.yaml:6:22: hosts.tower1.capacity.cpu: expected a whole number, found 16.5"],
  ],
  [
    "host memory in GB instead of Gi",
    edit("memory: 32Gi", "memory: 32GB"),
    [
      'lab.yaml:6:34: hosts.tower1.capacity.memory: must be a quantity such as "64Gi", "512Mi" or "2Ti", found "32GB"',
    ],
  ],
  [
    "disk size without a unit letter",
    edit("size: 64Gi", "size: lots"),
    [
      'lab.yaml:18:30: vms.gaming.disks.system.size: must be a quantity such as "64Gi", "512Mi" or "2Ti", found "lots"',
    ],
  ],
  [
    "percentage over 100",
    edit("cpu: 80%", "cpu: 150%"),
    ['lab.yaml:21:34: vms.gaming.modes.live.cpu: "150%" is more than the whole host (at most 100%)'],
  ],
  [
    "memory share over 100",
    edit("memory: 80%", "memory: 101%"),
    ['lab.yaml:21:47: vms.gaming.modes.live.memory: "101%" is more than the whole host (at most 100%)'],
  ],
  [
    "zero percent",
    edit("cpu: 80%", "cpu: 0%"),
    ['lab.yaml:21:34: vms.gaming.modes.live.cpu: "0%" leaves nothing for the VM'],
  ],
  [
    "percentage with a space",
    edit("cpu: 80%", 'cpu: "85 %"'),
    ['lab.yaml:21:34: vms.gaming.modes.live.cpu: must be a percentage such as "80%", found "85 %"'],
  ],
  [
    "memory in GB",
    edit("memory: 4Gi", "memory: 4GB"),
    [
      'lab.yaml:22:38: vms.gaming.modes.maintenance.memory: must be a quantity ("4Gi") or a share of the host\'s memory ("80%"), found "4GB"',
    ],
  ],
  [
    "percentage in a mode without a host",
    edit("maintenance: { cpu: 2,", "maintenance: { cpu: 50%,").replace("host: tower1, ", ""),
    [
      'lab.yaml:21:20: vms.gaming.modes.live.cpu: "80%" is a share of a host, but this mode names no host',
      'lab.yaml:21:33: vms.gaming.modes.live.memory: "80%" is a share of a host, but this mode names no host',
      "lab.yaml:21:45: vms.gaming.modes.live.gpus.0: a GPU needs the mode to name its host",
      'lab.yaml:22:27: vms.gaming.modes.maintenance.cpu: "50%" is a share of a host, but this mode names no host',
    ],
  ],
  [
    "unknown host",
    edit("host: tower1", "host: towr1"),
    ['lab.yaml:21:21: vms.gaming.modes.live.host: unknown host "towr1" (did you mean "tower1"?)'],
  ],
  [
    "unknown GPU",
    edit("gpus: [rtx3080]", "gpus: [rtx3090]"),
    [
      'lab.yaml:21:59: vms.gaming.modes.live.gpus.0: host "tower1" has no GPU "rtx3090" (did you mean "rtx3080"?)',
    ],
  ],
  [
    "GPU listed twice",
    edit("gpus: [rtx3080]", "gpus: [rtx3080, rtx3080]"),
    ['lab.yaml:21:68: vms.gaming.modes.live.gpus.1: GPU "rtx3080" is listed twice'],
  ],
  [
    "unknown storage",
    edit("storage: system }", "storage: sytem }"),
    ['lab.yaml:18:45: vms.gaming.disks.system.storage: unknown storage "sytem" (did you mean "system"?)'],
  ],
  [
    "unknown network",
    edit("nics: { lan:", "nics: { wan:"),
    ['lab.yaml:19:13: vms.gaming.nics.wan: unknown network "wan" (did you mean "lan"?)'],
  ],
  [
    "duplicate key",
    edit("storage:\n", "storage:\n  system: { replicas: 1 }\n"),
    ["lab.yaml:14:3: YAML: a key appears twice in this mapping"],
  ],
  [
    "duplicate StorageClass name",
    edit("  system: { replicas: 3 }\n", "  system: { replicas: 3 }\n  fast: { name: system }\n"),
    ['lab.yaml:14:9: storage.fast: StorageClass name "system" is already used by storage.system'],
  ],
  [
    "duplicate volume name",
    edit(
      "  gaming:\n",
      "  gaming-data:\n    disks: { x: { size: 1Gi, storage: system } }\n    modes: { maintenance: { cpu: 1, memory: 1Gi } }\n  gaming:\n",
    ).replace(
      "disks: { system: { size: 64Gi, storage: system } }",
      "disks: { system: { size: 64Gi, storage: system }, data-x: { size: 1Gi, storage: system } }",
    ),
    [
      'lab.yaml:21:63: vms.gaming.disks.data-x: volume name "gaming-data-x" is already used by vms.gaming-data.disks.x',
    ],
  ],
  [
    "same PCI function under two GPUs",
    edit(
      '          - { address: "0000:09:00.1", id: "10de:1aef" }\n',
      '          - { address: "0000:09:00.1", id: "10de:1aef" }\n      other:\n        functions:\n          - { address: "0000:09:00.0", id: "10de:2206" }\n',
    ),
    [
      'lab.yaml:14:24: hosts.tower1.gpus.other.functions.0.address: 0000:09:00.0 is already listed under GPU "rtx3080"',
    ],
  ],
  [
    "PCI address without a domain",
    edit('"0000:09:00.0"', '"09:00.0"'),
    [
      'lab.yaml:10:24: hosts.tower1.gpus.rtx3080.functions.0.address: must be a full PCI address in lower case, such as "0000:09:00.0", found "09:00.0"',
    ],
  ],
  [
    "PCI id without a colon",
    edit('"10de:2206"', '"10de2206"'),
    [
      'lab.yaml:10:44: hosts.tower1.gpus.rtx3080.functions.0.id: must be vendor:device in hex, such as "10de:2206", found "10de2206"',
    ],
  ],
  [
    "GPU without functions",
    edit(
      '          - { address: "0000:09:00.0", id: "10de:2206" }\n          - { address: "0000:09:00.1", id: "10de:1aef" }\n',
      "          []\n",
    ).replace("        functions:\n          []", "        functions: []"),
    ["lab.yaml:9:20: hosts.tower1.gpus.rtx3080.functions: must list at least 1 item"],
  ],
  [
    "unknown OS",
    edit("    disks:", "    os: win11\n    disks:"),
    [
      'lab.yaml:18:9: vms.gaming.os: expected one of "linux", "windows", "windows11", found "win11" (did you mean "windows11"?)',
    ],
  ],
  [
    "unknown mode",
    edit("      maintenance:", "      gaming:"),
    ['lab.yaml:22:7: vms.gaming.modes.gaming: unknown key "gaming"'],
  ],
  [
    "VM without modes",
    edit(
      "    modes:\n      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [rtx3080] }\n      maintenance: { cpu: 2, memory: 4Gi }\n",
      "    modes: {}\n",
    ),
    ["lab.yaml:20:12: vms.gaming.modes: a VM needs at least one mode (live or maintenance)"],
  ],
  [
    "VM without disks",
    edit("    disks: { system: { size: 64Gi, storage: system } }\n", "    disks: {}\n"),
    ["lab.yaml:18:12: vms.gaming.disks: a VM needs at least one disk"],
  ],
  [
    "VM name too long for the maintenance object",
    BASE.replaceAll("  gaming:", `  ${"a".repeat(55)}:`),
    [
      `lab.yaml:17:3: vms.${"a".repeat(55)}: VM name "${"a".repeat(55)}-maintenance" would be longer than 63 characters`,
    ],
  ],
  [
    "default mode the VM does not have",
    edit("    disks:", "    defaultMode: live\n    disks:").replace(
      "      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [rtx3080] }\n",
      "",
    ),
    ["lab.yaml:18:18: vms.gaming.defaultMode: VM has no live mode"],
  ],
  [
    "list where a mapping belongs",
    edit("hosts:\n", "hosts: []\nx:\n"),
    ["lab.yaml:4:8: hosts: expected a mapping, found a list", 'lab.yaml:5:1: x: unknown key "x"'],
  ],
];

describe("broken lab files", () => {
  it("has at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, text, expected] of CASES) {
    it(name, () => {
      let caught: unknown;
      try {
        parseModel(text, "lab.yaml");
      } catch (error) {
        caught = error;
      }
      expect(caught, "expected the lab to be rejected").toBeInstanceOf(InputError);
      const message = (caught as InputError).message;
      expect(message.split("\n")).toEqual(expected);
      expect(message).not.toMatch(/\n\s+at /);
    });
  }
});
