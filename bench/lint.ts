// Lint benchmark: labs of 250 to 4,000 VMs whose live modes all share one GPU (the worst case for
// GV018, where every VM's finding names the others). Prints, for each size, the time to parse and
// normalise, to lint and format, and the bytes of lint output; linear growth doubles each with the VMs.
// Run: npx tsx bench/lint.ts
import { performance } from "node:perf_hooks";
import { formatFindings } from "../src/lint/format.js";
import { runLint } from "../src/lint/run.js";
import { parseModel } from "../src/model/index.js";
import { vmMac } from "./vm-mac.js";

/** A lab of `vmCount` VMs on one host, every live mode passing the host's one GPU. */
function sharedGpuLab(vmCount: number): string {
  const lines = [
    "apiVersion: gpuvm/v1alpha1",
    "kind: Lab",
    "metadata: { name: bench }",
    "hosts:",
    "  tower1:",
    "    capacity: { cpu: 64, memory: 256Gi }",
    "    bridge: { name: br0, uplink: enp9s0 }",
    "    gpus:",
    "      gpu0:",
    "        functions:",
    '          - { address: "0000:09:00.0", id: "10de:2206", resource: nvidia.com/rtx3080 }',
    '          - { address: "0000:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio }',
    "storage:",
    "  system: { replicas: 3, disk: nvme }",
    "networks:",
    "  lan: { bridge: br0, subnet: 10.0.0.0/16 }",
    "vms:",
  ];
  for (let v = 0; v < vmCount; v++) {
    lines.push(
      `  vm${v}:`,
      "    disks: { system: { size: 64Gi, storage: system } }",
      `    nics: { lan: { mac: "${vmMac(v)}" } }`,
      "    modes:",
      "      live: { host: tower1, cpu: 8, memory: 16Gi, gpus: [gpu0] }",
      "      maintenance: { cpu: 2, memory: 4Gi }",
    );
  }
  return `${lines.join("\n")}\n`;
}

function measure(vmCount: number) {
  const text = sharedGpuLab(vmCount);
  const start = performance.now();
  const lab = parseModel(text, `bench-${vmCount}.yaml`);
  const parsed = performance.now();
  const report = runLint(lab);
  const output = formatFindings(report.findings);
  const end = performance.now();
  return {
    ms: end - start,
    parseMs: parsed - start,
    lintMs: end - parsed,
    findings: report.findings.length,
    bytes: Buffer.byteLength(output),
  };
}

measure(50); // warm up the JIT
let previous: { ms: number; bytes: number } | undefined;
for (const vmCount of [250, 500, 1000, 2000, 4000]) {
  const result = measure(vmCount);
  const growth = previous
    ? ` (x${(result.ms / previous.ms).toFixed(1)} time, x${(result.bytes / previous.bytes).toFixed(1)} output for x2 VMs)`
    : "";
  console.log(
    `${String(vmCount).padStart(5)} VMs: ${result.ms.toFixed(0).padStart(5)} ms (parse ${result.parseMs.toFixed(0)}, lint ${result.lintMs.toFixed(0)}), ${result.findings} findings, ${(result.bytes / 1024).toFixed(0)} KiB of output${growth}`,
  );
  previous = result;
}
