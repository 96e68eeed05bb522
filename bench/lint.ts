// Lint benchmark: labs of 250 to 4,000 VMs whose live modes all share one GPU (the worst case for
// GV018, where every VM's finding names the others). Prints, for each size, the time to parse,
// normalise and lint, and the bytes of lint output; linear growth doubles both with the VMs.
// Run: npm run bench:lint
import { performance } from "node:perf_hooks";
import { formatFindings } from "../src/lint/format.js";
import { runLint } from "../src/lint/run.js";
import { parseModel } from "../src/model/index.js";

/** A lab of `vmCount` VMs on one host, every live mode passing the host's one GPU. */
export function sharedGpuLab(vmCount: number): string {
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
    const mac = `02:00:00:00:${((v >> 8) & 255).toString(16).padStart(2, "0")}:${(v & 255).toString(16).padStart(2, "0")}`;
    lines.push(
      `  vm${v}:`,
      "    disks: { system: { size: 64Gi, storage: system } }",
      `    nics: { lan: { mac: "${mac}" } }`,
      "    modes:",
      "      live: { host: tower1, cpu: 8, memory: 16Gi, gpus: [gpu0] }",
      "      maintenance: { cpu: 2, memory: 4Gi }",
    );
  }
  return `${lines.join("\n")}\n`;
}

function measure(vmCount: number): { ms: number; findings: number; bytes: number } {
  const text = sharedGpuLab(vmCount);
  const start = performance.now();
  const report = runLint(parseModel(text, `bench-${vmCount}.yaml`));
  const output = formatFindings(report.findings);
  return {
    ms: performance.now() - start,
    findings: report.findings.length,
    bytes: Buffer.byteLength(output),
  };
}

if (process.argv[1]?.endsWith("lint.ts")) main();
function main() {
  measure(50); // warm up the JIT
  let previous: { ms: number; bytes: number } | undefined;
  for (const vmCount of [250, 500, 1000, 2000, 4000]) {
    const result = measure(vmCount);
    const growth = previous
      ? ` (x${(result.ms / previous.ms).toFixed(1)} time, x${(result.bytes / previous.bytes).toFixed(1)} output for x2 VMs)`
      : "";
    console.log(
      `${String(vmCount).padStart(5)} VMs: lint in ${result.ms.toFixed(0).padStart(5)} ms, ${result.findings} findings, ${(result.bytes / 1024).toFixed(0)} KiB of output${growth}`,
    );
    previous = result;
  }
}
