// Scan time of a large generated host: 2,000 PCI functions in 300 IOMMU groups.
// Run: npx tsx bench/host-scan.ts
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { runDoctor } from "../src/host/doctor/run.js";
import { scanHost } from "../src/host/scan.js";
import { buildTempTree } from "../test/fixtures/hosts/build-tree.js";
import { PCI_IDS_EXCERPT } from "../test/fixtures/hosts/pci-ids-excerpt.js";
import type { DeviceSpec, MachineSpec } from "../test/fixtures/hosts/spec.js";

const GROUPS = 300;
const DEVICES = 2000;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Spreads DEVICES functions over GROUPS buses, one group per bus, functions .0 to .7. */
function devices(): DeviceSpec[] {
  const out: DeviceSpec[] = [];
  const base = Math.floor(DEVICES / GROUPS);
  const extra = DEVICES - base * GROUPS;
  for (let g = 0; g < GROUPS; g++) {
    const count = base + (g < extra ? 1 : 0);
    const domain = hex(Math.floor(g / 200), 4);
    const bus = hex((g % 200) + 1, 2);
    for (let fn = 0; fn < count; fn++) {
      const klass = fn === 0 ? "030000" : fn === 1 ? "040300" : "020000";
      out.push({
        address: `${domain}:${bus}:00.${fn}`,
        id: fn === 0 ? "10de:2206" : fn === 1 ? "10de:1aef" : "8086:15f3",
        class: klass,
        driver: fn === 0 ? "nvidia" : fn === 1 ? "snd_hda_intel" : "igc",
        bootVga: g === 0 && fn === 0,
        iommuGroup: g,
        numaNode: g % 2,
      });
    }
  }
  return out;
}

const systemPciIds = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"].find((p) => fs.existsSync(p));
const spec: MachineSpec = {
  hostname: "bench",
  cpu: { vendor: "intel", model: "bench", count: 64, flags: ["vmx"] },
  memoryKb: 512_000_000,
  cmdline: "ro intel_iommu=on iommu=pt",
  kvm: true,
  vfioPciLoaded: true,
  iommuUnits: ["dmar0"],
  devices: devices(),
  pciIds: systemPciIds ? fs.readFileSync(systemPciIds, "utf8") : PCI_IDS_EXCERPT,
};

let t = performance.now();
const root = buildTempTree(spec, "gpuvm-bench-");
const buildMs = performance.now() - t;

const runs: number[] = [];
let scan = scanHost({ root });
for (let i = 0; i < 5; i++) {
  t = performance.now();
  scan = scanHost({ root });
  runs.push(performance.now() - t);
}
t = performance.now();
const report = runDoctor(scan);
const doctorMs = performance.now() - t;
fs.rmSync(root, { recursive: true, force: true });

runs.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)] ?? 0;
console.log(
  `tree: ${scan.devices.length} PCI functions, ${scan.iommuGroups.length} IOMMU groups (built in ${buildMs.toFixed(0)} ms)`,
);
console.log(`pci.ids: ${systemPciIds ? `${systemPciIds} (full database)` : "test excerpt"}`);
console.log(
  `scan: median ${median.toFixed(1)} ms, min ${runs[0]?.toFixed(1)} ms, max ${runs[runs.length - 1]?.toFixed(1)} ms (5 runs)`,
);
console.log(`doctor over the scan: ${doctorMs.toFixed(1)} ms, ${report.checks.length} checks`);
if (scan.devices.length !== DEVICES || scan.iommuGroups.length !== GROUPS) {
  console.error("bench tree is not the expected size");
  process.exitCode = 1;
}
